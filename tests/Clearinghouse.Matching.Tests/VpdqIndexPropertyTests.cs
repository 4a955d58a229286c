using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Matching.Vpdq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Matching.Tests;

/// <summary>
/// The vPDQ index answers what the brute-force matcher answers against each indexed video, on synthetic videos
/// built to sit around every threshold: frames near shared "scenes" (so videos share and nearly share frames at
/// distances around 31), repeated frames, low-quality frames, with adds, replacements and removals interleaved.
/// </summary>
public sealed class VpdqIndexPropertyTests
{
    public sealed record Op(bool Remove, long Id, int Seed);

    public sealed record Scenario(int Seed, int Scenes, int MaxFrames, Op[] Ops, double IndexPercent)
    {
        public override string ToString() =>
            $"seed={Seed} scenes={Scenes} maxFrames={MaxFrames} indexPercent={IndexPercent} ops=[{string.Join(", ", Ops.Select(o => $"{(o.Remove ? "remove" : "add")}({o.Id},{o.Seed})"))}]";
    }

    private static Gen<Scenario> Scenarios =>
        from seed in Gen.Choose(0, int.MaxValue)
        from scenes in Gen.Choose(1, 12)
        from maxFrames in Gen.Choose(1, 40)
        from ops in (from remove in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
                     from id in Gen.Choose(0, 25)
                     from opSeed in Gen.Choose(0, int.MaxValue)
                     select new Op(remove, id, opSeed)).ArrayOf()
        from indexPercent in Gen.Elements(0.0, 0.0, 50.0, 100.0)
        select new Scenario(seed, scenes, maxFrames, ops, indexPercent);

    [Property(MaxTest = 200)]
    public Property Index_results_equal_the_brute_force_matcher() =>
        Prop.ForAll(Scenarios.ToArbitrary(), Run);

    private static bool Run(Scenario s)
    {
        var rng = new Random(s.Seed);
        var scenes = Enumerable.Range(0, s.Scenes).Select(_ => Hashes.Random(rng)).ToArray();
        var options = new VpdqMatchOptions { IndexMatchPercent = s.IndexPercent };
        var index = new VpdqIndex(options);
        var model = new Dictionary<long, List<VpdqFeature>>();

        foreach (var op in s.Ops)
        {
            if (op.Remove)
            {
                Assert.Equal(model.Remove(op.Id), index.Remove(op.Id));
            }
            else
            {
                var video = Video(new Random(op.Seed), scenes, s.MaxFrames);
                index.Add(op.Id, video);
                model[op.Id] = video;
            }

            Assert.Equal(model.Count, index.Count);
            Check(index, model, Video(rng, scenes, s.MaxFrames), options);
            if (model.Count > 0)
            {
                // An indexed video as the query: matches itself at 100 % unless it has no usable frame.
                Check(index, model, model.Values.ElementAt(rng.Next(model.Count)), options);
            }
        }

        Assert.Equal(
            model.Values.SelectMany(v => VpdqFrames.Usable(v, options.QualityThreshold)).Distinct().Count(),
            index.FrameHashCount);
        return true;
    }

    private static void Check(VpdqIndex index, Dictionary<long, List<VpdqFeature>> model, List<VpdqFeature> query, VpdqMatchOptions options)
    {
        var expected = new SortedDictionary<long, VpdqMatchResult>();
        foreach (var (id, video) in model)
        {
            var result = VpdqBruteMatcher.Match(query, video, options);
            if (result.QueryMatched > 0)
            {
                expected.Add(id, result);
            }
        }

        var all = new List<VpdqIndexMatch>();
        index.QueryAll(query, all);
        Assert.Equal(expected, new SortedDictionary<long, VpdqMatchResult>(all.ToDictionary(m => m.Id, m => m.Result)));

        Assert.Equal(
            expected.Where(e => e.Value.IsMatch(options)).Select(e => e.Key),
            index.Query(query).Select(m => m.Id).Order());

        foreach (int threshold in new[] { 0, 20, 50, 100 })
        {
            var viaInterface = new List<IndexMatch>();
            index.Query(query, threshold, viaInterface);
            Assert.Equal(
                expected.Where(e => e.Value.Distance <= threshold && e.Value.ComparedMatchPercent >= options.IndexMatchPercent).Select(e => new IndexMatch(e.Key, e.Value.Distance)),
                viaInterface.OrderBy(m => m.Id));
        }
    }

    /// <summary>Frames near random scenes (0–40 bits off, so pairs straddle 31), some repeated, some of low quality.</summary>
    private static List<VpdqFeature> Video(Random rng, Hash256[] scenes, int maxFrames)
    {
        int frames = rng.Next(0, maxFrames + 1);
        var video = new List<VpdqFeature>(frames);
        for (int i = 0; i < frames; i++)
        {
            var hash = i > 0 && rng.Next(4) == 0
                ? video[rng.Next(i)].Hash
                : Hashes.Flip(scenes[rng.Next(scenes.Length)], rng.Next(0, 41), rng);
            int quality = rng.Next(4) == 0 ? rng.Next(0, 50) : rng.Next(50, 101);
            video.Add(new VpdqFeature(i, quality, hash, i / 30.0));
        }

        return video;
    }
}
