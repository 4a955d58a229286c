using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Matching.Tests;

/// <summary>
/// The index answers exactly what brute force answers, for every radius 0..64, on random and clustered data, with
/// adds (including re-adds of existing ids), removes and compactions interleaved, under every search method and
/// storage geometry (tiny chunks, tiny tails and tiny segments exercise chunk edges, sealing, merging and splitting).
/// </summary>
public sealed class PdqIndexPropertyTests
{
    public enum OpKind
    {
        Add,
        Remove,
        Compact,
        Check,
    }

    public sealed record Op(OpKind Kind, long Id, int Source, int Flips);

    public sealed record Scenario(
        bool Clustered, int Seed, int Centres, Op[] Ops, int TailCapacity, int ChunkBits, int MaxSegment, PdqSearchMethod Method)
    {
        /// <summary>Segments from this size use the wide (12-substring) layout; int.MaxValue keeps 16 × 16.</summary>
        public int WideThreshold { get; init; } = 1 << 22;

        /// <summary>Forced key width of wide segments (0: by size).</summary>
        public int WideKeyBits { get; init; }

        public override string ToString() =>
            $"clustered={Clustered} seed={Seed} centres={Centres} tail={TailCapacity} chunkBits={ChunkBits} maxSeg={MaxSegment} method={Method} wide={WideThreshold} wideKeyBits={WideKeyBits} ops=[{string.Join(", ", Ops.Select(o => $"{o.Kind}({o.Id},{o.Source},{o.Flips})"))}]";
    }

    private static Gen<Scenario> ScenarioGen(int maxOps, int maxId, int checkWeight, int smallSegment) =>
        from clustered in Gen.Elements(true, false)
        from seed in Gen.Choose(0, int.MaxValue)
        from centres in Gen.Choose(1, 6)
        from idRange in Gen.Choose(1, maxId)
        from opCount in Gen.Choose(maxOps / 2, maxOps)
        from ops in OpGen(idRange, checkWeight).ArrayOf(opCount)
        from tail in Gen.Elements(1, 2, 3, 7, 16, 4096)
        from chunkBits in Gen.Elements(6, 7, 16)
        from maxSegment in Gen.Elements(smallSegment, 64, MihSegment.MaxLength)
        from method in Gen.Elements(PdqSearchMethod.Auto, PdqSearchMethod.Mih, PdqSearchMethod.Scan)
        select new Scenario(clustered, seed, centres, ops, tail, chunkBits, maxSegment, method);

    /// <summary>The same scenarios with the wide layout switched on at small sizes (and sometimes full-width keys).</summary>
    private static Gen<Scenario> WideScenarioGen(int maxOps, int maxId, int checkWeight, int smallSegment) =>
        from scenario in ScenarioGen(maxOps, maxId, checkWeight, smallSegment)
        from wide in Gen.Elements(1, 3, 40, 500)
        from keyBits in Gen.Elements(0, 0, 0, 1, 5, 13)
        select scenario with { WideThreshold = wide, WideKeyBits = keyBits };

    private static Gen<Op> OpGen(int idRange, int checkWeight) =>
        Gen.Frequency(
            (8, from id in Gen.Choose(0, idRange)
                from source in Gen.Choose(0, 1 << 20)
                from flips in Gen.Choose(0, 40)
                select new Op(OpKind.Add, id, source, flips)),
            (3, Gen.Choose(0, idRange).Select(id => new Op(OpKind.Remove, id, 0, 0))),
            (1, Gen.Constant(new Op(OpKind.Compact, 0, 0, 0))),
            (checkWeight, Gen.Constant(new Op(OpKind.Check, 0, 0, 0))));

    [Property(MaxTest = 150)]
    public Property Small_indexes_equal_brute_force_for_every_radius_0_to_64() =>
        Prop.ForAll(ScenarioGen(maxOps: 150, maxId: 60, checkWeight: 2, smallSegment: 5).ToArbitrary(), scenario => Run(scenario, bulkSize: 0));

    [Property(MaxTest = 8)]
    public Property Larger_indexes_equal_brute_force_for_every_radius_0_to_64() =>
        Prop.ForAll(ScenarioGen(maxOps: 400, maxId: 3000, checkWeight: 1, smallSegment: 300).ToArbitrary(), scenario => Run(scenario, bulkSize: 2500));

    [Property(MaxTest = 100)]
    public Property Small_wide_layout_indexes_equal_brute_force_for_every_radius_0_to_64() =>
        Prop.ForAll(WideScenarioGen(maxOps: 150, maxId: 60, checkWeight: 2, smallSegment: 5).ToArbitrary(), scenario => Run(scenario, bulkSize: 0));

    [Property(MaxTest = 6)]
    public Property Larger_wide_layout_indexes_equal_brute_force_for_every_radius_0_to_64() =>
        Prop.ForAll(WideScenarioGen(maxOps: 400, maxId: 3000, checkWeight: 1, smallSegment: 300).ToArbitrary(), scenario => Run(scenario, bulkSize: 2500));

    private static bool Run(Scenario s, int bulkSize)
    {
        var rng = new Random(s.Seed);
        var centres = new Hash256[s.Centres];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = Hashes.Random(rng);
        }

        Hash256 Make(int source, int flips) =>
            s.Clustered ? Hashes.Flip(centres[source % centres.Length], flips, rng) : Hashes.Random(rng);

        var options = new PdqIndexOptions
        {
            TailCapacity = s.TailCapacity,
            ChunkBits = s.ChunkBits,
            MaxSegmentLength = s.MaxSegment,
            Method = s.Method,
            WideLayoutThreshold = s.WideThreshold,
            WideKeyBits = s.WideKeyBits,

            // Both seal modes: on the writer (deterministic segment shapes) and on the thread pool (the default,
            // where queries race with segment publication and a growing tail).
            BackgroundSeals = s.Seed % 2 == 0,
        };

        var model = new Model();
        PdqIndex index;
        if (bulkSize > 0)
        {
            var hashes = new Hash256[bulkSize];
            var ids = new long[bulkSize];
            for (int i = 0; i < bulkSize; i++)
            {
                hashes[i] = Make(rng.Next(1 << 20), rng.Next(41));
                ids[i] = i * 7L;
                model.Add(ids[i], hashes[i]);
            }

            index = PdqIndex.Build(hashes, ids, options);
        }
        else
        {
            index = new PdqIndex(options);
        }

        foreach (var op in s.Ops)
        {
            switch (op.Kind)
            {
                case OpKind.Add:
                    var h = Make(op.Source, op.Flips);
                    index.Add(op.Id, h);
                    model.Add(op.Id, h);
                    break;
                case OpKind.Remove:
                    if (index.Remove(op.Id) != model.Remove(op.Id))
                    {
                        throw new InvalidOperationException($"Remove({op.Id}) disagrees with the model.");
                    }

                    break;
                case OpKind.Compact:
                    index.Compact();
                    break;
                case OpKind.Check:
                    Check(index, model, rng, Make);
                    break;
            }
        }

        Check(index, model, rng, Make);
        return true;
    }

    private static void Check(PdqIndex index, Model model, Random rng, Func<int, int, Hash256> make)
    {
        Assert.Equal(model.Count, index.Count);
        var queries = new List<Hash256> { make(rng.Next(1 << 20), rng.Next(41)), Hashes.Random(rng) };
        var ids = model.Ids.ToArray();
        if (ids.Length > 0)
        {
            long id = ids[rng.Next(ids.Length)];
            Assert.True(index.Contains(id));

            // A stored hash itself and a near-duplicate of one: radius-0 and small-radius matches are always there.
            queries.Add(model.HashOf(id));
            queries.Add(Hashes.Flip(model.HashOf(ids[rng.Next(ids.Length)]), rng.Next(1, 33), rng));
        }

        foreach (var q in queries)
        {
            // Brute force once per query (distances to every entry), then filtered per radius.
            var all = model.Query(q, 256);
            for (int r = 0; r <= 64; r++)
            {
                var expected = all.Where(m => m.Distance <= r).ToList();
                var actual = Model.Sorted(index.Query(q, r));
                if (!expected.SequenceEqual(actual))
                {
                    throw new InvalidOperationException(
                        $"radius {r}, query {q}: expected [{string.Join(",", expected)}] got [{string.Join(",", actual)}]");
                }
            }
        }
    }
}
