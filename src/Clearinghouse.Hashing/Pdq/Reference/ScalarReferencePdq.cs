namespace Clearinghouse.Hashing.Pdq.Reference;

/// <summary>
/// A deliberately plain, line-by-line transcription of the reference C++ PDQ hasher: one pixel, one float at a
/// time, full-size buffers, Torben's median. It exists as an oracle for the tests (the optimised
/// <see cref="PdqHasher"/> must agree with it on any input) and as the same-run baseline of the benchmarks. Slow on
/// purpose; never use it to hash.
/// </summary>
public static class ScalarReferencePdq
{
    public static PdqHash Hash(PixelBuffer pixels, bool preResize = true) => Hash(pixels, preResize, greyAsLevel: true);

    /// <summary>vPDQ's per-frame PDQ: no pre-resize, luma always from RGB (see <see cref="PdqHasher.ForVideoFrames"/>).</summary>
    public static PdqHash HashVideoFrame(PixelBuffer pixels) => Hash(pixels, preResize: false, greyAsLevel: false);

    private static PdqHash Hash(PixelBuffer pixels, bool preResize, bool greyAsLevel)
    {
        var (luma, rows, cols) = Luma(pixels, preResize, greyAsLevel);
        if (rows < 5 || cols < 5)
        {
            return new PdqHash(Hash256.Zero, 0);
        }

        var block = new float[64, 64];
        if (rows == 64 && cols == 64)
        {
            for (int i = 0; i < 64; i++)
            {
                for (int j = 0; j < 64; j++)
                {
                    block[i, j] = luma[(i * 64) + j];
                }
            }
        }
        else
        {
            var buffer2 = new float[luma.Length];
            int windowAlongRows = (cols + 127) / 128;
            int windowAlongCols = (rows + 127) / 128;
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < rows; i++)
                {
                    Box1D(luma, i * cols, buffer2, i * cols, cols, 1, windowAlongRows);
                }

                for (int j = 0; j < cols; j++)
                {
                    Box1D(buffer2, j, luma, j, rows, cols, windowAlongCols);
                }
            }

            for (int i = 0; i < 64; i++)
            {
                int ini = (int)((i + 0.5) * rows / 64);
                for (int j = 0; j < 64; j++)
                {
                    int inj = (int)((j + 0.5) * cols / 64);
                    block[i, j] = luma[(ini * cols) + inj];
                }
            }
        }

        int quality = Quality(block);
        var dct = Dct(block);
        float median = Torben(dct);
        var words = new ulong[4];
        for (int k = 0; k < 256; k++)
        {
            if (dct[k] > median)
            {
                words[k >> 6] |= 1UL << (k & 63);
            }
        }

        return new PdqHash(Hash256.FromWords(words), quality);
    }

    private static (float[] Luma, int Rows, int Cols) Luma(PixelBuffer pixels, bool preResize, bool greyAsLevel)
    {
        int cols = pixels.Width;
        int rows = pixels.Height;
        if (preResize && (cols > 512 || rows > 512))
        {
            cols = 512;
            rows = 512;
        }

        int bpp = pixels.BytesPerPixel;
        var (ro, go, bo) = pixels.ChannelOffsets;
        bool grey = greyAsLevel;
        for (int y = 0; y < pixels.Height && grey; y++)
        {
            var row = pixels.Row(y);
            for (int x = 0; x < pixels.Width && grey; x++)
            {
                int p = x * bpp;
                grey = row[p + ro] == row[p + go] && row[p + go] == row[p + bo];
            }
        }

        var luma = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            var row = pixels.Row((int)((long)i * pixels.Height / rows));
            for (int j = 0; j < cols; j++)
            {
                int p = (int)((long)j * pixels.Width / cols) * bpp;
                luma[(i * cols) + j] = grey
                    ? row[p + ro]
                    : (0.299f * row[p + ro]) + (0.587f * row[p + go]) + (0.114f * row[p + bo]);
            }
        }

        return (luma, rows, cols);
    }

    private static void Box1D(float[] input, int inStart, float[] output, int outStart, int length, int stride, int window)
    {
        int half = (window + 2) / 2;
        int phase1 = half - 1;
        int phase2 = window - half + 1;
        int phase3 = length - window;
        int phase4 = half - 1;
        int li = 0, ri = 0, oi = 0;
        float sum = 0;
        int count = 0;
        for (int i = 0; i < phase1; i++)
        {
            sum += input[inStart + ri];
            count++;
            ri += stride;
        }

        for (int i = 0; i < phase2; i++)
        {
            sum += input[inStart + ri];
            count++;
            output[outStart + oi] = sum / count;
            ri += stride;
            oi += stride;
        }

        for (int i = 0; i < phase3; i++)
        {
            sum += input[inStart + ri];
            sum -= input[inStart + li];
            output[outStart + oi] = sum / count;
            li += stride;
            ri += stride;
            oi += stride;
        }

        for (int i = 0; i < phase4; i++)
        {
            sum -= input[inStart + li];
            count--;
            output[outStart + oi] = sum / count;
            li += stride;
            oi += stride;
        }
    }

    private static int Quality(float[,] block)
    {
        int sum = 0;
        for (int i = 0; i < 63; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                int d = (int)((block[i, j] - block[i + 1, j]) * 100 / 255);
                sum += d < 0 ? -d : d;
            }
        }

        for (int i = 0; i < 64; i++)
        {
            for (int j = 0; j < 63; j++)
            {
                int d = (int)((block[i, j] - block[i, j + 1]) * 100 / 255);
                sum += d < 0 ? -d : d;
            }
        }

        return Math.Min(sum / 90, 100);
    }

    private static float[] Dct(float[,] a)
    {
        float scale = (float)Math.Sqrt(2.0 / 64.0);
        var d = new float[16, 64];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                d[i, j] = (float)(scale * Math.Cos(Math.PI / 2 / 64.0 * (i + 1) * ((2 * j) + 1)));
            }
        }

        var t = new float[16, 64];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                float sum = 0;
                for (int k = 0; k < 64; k++)
                {
                    sum += d[i, k] * a[k, j];
                }

                t[i, j] = sum;
            }
        }

        var b = new float[256];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                float sum = 0;
                for (int k = 0; k < 64; k++)
                {
                    sum += t[i, k] * d[j, k];
                }

                b[(i * 16) + j] = sum;
            }
        }

        return b;
    }

    /// <summary>Torben's median search exactly as the reference runs it.</summary>
    public static float Torben(ReadOnlySpan<float> m)
    {
        int n = m.Length;
        float min = m[0], max = m[0];
        for (int i = 1; i < n; i++)
        {
            if (m[i] < min)
            {
                min = m[i];
            }

            if (m[i] > max)
            {
                max = m[i];
            }
        }

        int less, greater, equal;
        float guess, maxLtGuess, minGtGuess;
        while (true)
        {
            guess = (min + max) / 2;
            less = 0;
            greater = 0;
            equal = 0;
            maxLtGuess = min;
            minGtGuess = max;
            for (int i = 0; i < n; i++)
            {
                if (m[i] < guess)
                {
                    less++;
                    if (m[i] > maxLtGuess)
                    {
                        maxLtGuess = m[i];
                    }
                }
                else if (m[i] > guess)
                {
                    greater++;
                    if (m[i] < minGtGuess)
                    {
                        minGtGuess = m[i];
                    }
                }
                else
                {
                    equal++;
                }
            }

            if (less <= (n + 1) / 2 && greater <= (n + 1) / 2)
            {
                break;
            }
            else if (less > greater)
            {
                max = maxLtGuess;
            }
            else
            {
                min = minGtGuess;
            }
        }

        if (less >= (n + 1) / 2)
        {
            return maxLtGuess;
        }
        else if (less + equal >= (n + 1) / 2)
        {
            return guess;
        }

        return minGtGuess;
    }
}
