using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

public sealed class PdqIndexFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pdqindex-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (PdqIndex Index, Model Model) Sample(int n, int removed, int seed = 1)
    {
        var rng = new Random(seed);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 50, ChunkBits = 6 });
        var model = new Model();
        var centre = Hashes.Random(rng);
        for (int i = 0; i < n; i++)
        {
            var h = i % 2 == 0 ? Hashes.Random(rng) : Hashes.Flip(centre, rng.Next(40), rng);
            long id = (i * 1_000_003L) - 500;
            index.Add(id, h);
            model.Add(id, h);
        }

        foreach (long id in model.Ids.Take(removed).ToList())
        {
            index.Remove(id);
            model.Remove(id);
        }

        return (index, model);
    }

    private byte[] Saved(PdqIndex index)
    {
        string path = Path.Combine(_dir, "x.idx");
        index.Save(path);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Save_then_load_gives_the_same_answers()
    {
        var (index, model) = Sample(1000, 100);
        string path = Path.Combine(_dir, "a.idx");
        index.Save(path);
        Assert.Equal(24 + (900 * 40) + 8, new FileInfo(path).Length);

        var loaded = PdqIndex.Load(path);
        Assert.Equal(model.Count, loaded.Count);
        var rng = new Random(9);
        foreach (long id in model.Ids.Take(50))
        {
            Assert.True(loaded.Contains(id));
            var q = Hashes.Flip(model.HashOf(id), rng.Next(20), rng);
            foreach (int r in new[] { 0, 10, 31, 32, 64 })
            {
                Assert.Equal(model.Query(q, r), Model.Sorted(loaded.Query(q, r)));
            }
        }

        // The loaded index keeps working incrementally.
        var h = Hashes.Random(rng);
        loaded.Add(-1, h);
        Assert.Equal([new IndexMatch(-1, 0)], loaded.Query(h, 0));
    }

    [Fact]
    public void Empty_index_roundtrips()
    {
        var loaded = PdqIndex.Load(new MemoryStream(Saved(new PdqIndex())));
        Assert.Equal(0, loaded.Count);
        Assert.Empty(loaded.Query(Hash256.Zero, 256));
    }

    [Fact]
    public void Non_seekable_streams_load_too()
    {
        var (_, model) = Sample(300, 0);
        var (index, _) = Sample(300, 0);
        var loaded = PdqIndex.Load(new ForwardOnlyStream(Saved(index)));
        Assert.Equal(model.Count, loaded.Count);
    }

    [Fact]
    public void Every_truncation_is_an_InvalidDataException_naming_it()
    {
        var bytes = Saved(Sample(200, 0).Index);
        for (int length = 0; length < bytes.Length; length += length < 64 ? 1 : 97)
        {
            var cut = bytes.AsSpan(0, length).ToArray();
            var e = Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new MemoryStream(cut)));
            Assert.Matches(length < 8 ? "Not a Clearinghouse PDQ index" : "Truncated", e.Message);

            var e2 = Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new ForwardOnlyStream(cut)));
            Assert.Matches(length < 8 ? "Not a Clearinghouse PDQ index" : "Truncated", e2.Message);
        }
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_detected()
    {
        var bytes = Saved(Sample(200, 10).Index);
        var rng = new Random(3);
        for (int trial = 0; trial < 300; trial++)
        {
            var copy = (byte[])bytes.Clone();
            int at = trial < 24 ? trial : rng.Next(copy.Length);
            copy[at] ^= (byte)(1 << rng.Next(8));
            var e = Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new MemoryStream(copy)));
            Assert.Matches("Not a Clearinghouse PDQ index|version|count|Truncated|trailing|checksum", e.Message);
        }
    }

    [Fact]
    public void Wrong_magic_version_and_trailing_data_have_precise_messages()
    {
        var bytes = Saved(Sample(10, 0).Index);

        var text = "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95\n"u8.ToArray();
        Assert.Contains("does not start with", Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new MemoryStream(text))).Message);

        var version = (byte[])bytes.Clone();
        version[8] = 2;
        Assert.Contains("Unsupported PDQ index format version 2", Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new MemoryStream(version))).Message);

        byte[] trailing = [.. bytes, 0];
        Assert.Contains("trailing data", Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new MemoryStream(trailing))).Message);
        Assert.Contains("trailing data", Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new ForwardOnlyStream(trailing))).Message);

        var huge = (byte[])bytes.Clone();
        BitConverter.GetBytes(long.MaxValue).CopyTo(huge, 16);
        Assert.Contains("out of range", Assert.Throws<InvalidDataException>(() => PdqIndex.Load(new MemoryStream(huge))).Message);

        string path = Path.Combine(_dir, "bad.idx");
        File.WriteAllBytes(path, version);
        var e = Assert.Throws<InvalidDataException>(() => PdqIndex.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void A_file_with_a_valid_checksum_but_duplicate_ids_is_rejected()
    {
        // Two entries with id 7, written by a hand-rolled writer with a correct checksum.
        var ms = new MemoryStream();
        var checksum = Checksum64.Create();
        void Put(ReadOnlySpan<byte> b)
        {
            checksum.Append(b);
            ms.Write(b);
        }

        Put([.. "CHPDQIX1"u8, .. BitConverter.GetBytes(1u), .. BitConverter.GetBytes(0u), .. BitConverter.GetBytes(2L)]);
        Put(new byte[64]);
        Put(BitConverter.GetBytes(7L));
        Put(BitConverter.GetBytes(7L));
        ms.Write(BitConverter.GetBytes(checksum.Final()));
        ms.Position = 0;
        Assert.Contains("id 7 occurs twice", Assert.Throws<InvalidDataException>(() => PdqIndex.Load(ms)).Message);
    }

    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        // Short reads, as pipes and sockets do.
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
