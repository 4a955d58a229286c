using BenchmarkDotNet.Attributes;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Pdq.Reference;

namespace Clearinghouse.Benchmarks;

/// <summary>
/// PDQ from decoded pixels: the optimised hasher against the plain scalar transcription of the reference
/// (the baseline, same run). 512x512 is what the reference hashes after its pre-resize; 1600x1004 includes our
/// pre-resize sampling; 640x480 is a typical frame without one.
/// </summary>
[MemoryDiagnoser]
public class PdqHashBenchmarks
{
    private byte[] _pixels = [];
    private PdqHasher _hasher = new();

    [Params("512x512", "1600x1004", "640x480")]
    public string Size { get; set; } = "512x512";

    private int Width => int.Parse(Size.Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);

    private int Height => int.Parse(Size.Split('x')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _pixels = new byte[Width * Height * 4];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int p = ((y * Width) + x) * 4;
                _pixels[p] = (byte)((x / 3) + rng.Next(20));
                _pixels[p + 1] = (byte)((y / 2) + rng.Next(20));
                _pixels[p + 2] = (byte)((x + y) / 5);
                _pixels[p + 3] = 255;
            }
        }

        _hasher = new PdqHasher();
    }

    [Benchmark(Baseline = true, Description = "scalar reference transcription")]
    public PdqHash ScalarReference() => ScalarReferencePdq.Hash(new PixelBuffer(_pixels, Width, Height, PixelLayout.Bgra32));

    [Benchmark(Description = "PdqHasher")]
    public PdqHash Optimised() => _hasher.Hash(new PixelBuffer(_pixels, Width, Height, PixelLayout.Bgra32));

    [Benchmark(Description = "PdqHasher, 8 dihedral")]
    public PdqDihedralHashes OptimisedDihedral() => _hasher.HashDihedral(new PixelBuffer(_pixels, Width, Height, PixelLayout.Bgra32));
}
