namespace Clearinghouse.Media.Images;

/// <summary>
/// Clears the transparency flag of the graphic control extension that applies to a GIF's first frame, so a
/// decoder reports the palette colour of "transparent" pixels, which is what the PDQ reference hashes.
/// </summary>
internal static class GifTransparency
{
    /// <summary>A patched copy, or the input itself if there is nothing to patch or the structure is malformed
    /// (the decoder then reports the error).</summary>
    public static byte[] WithoutFirstFrameTransparency(byte[] data, int length)
    {
        var gif = data.AsSpan(0, length);
        if (gif.Length < 13)
        {
            return data;
        }

        int pos = 13;
        byte screenFlags = gif[10];
        if ((screenFlags & 0x80) != 0)
        {
            pos += 3 * (1 << ((screenFlags & 0x07) + 1));
        }

        while (pos < gif.Length)
        {
            switch (gif[pos])
            {
                case 0x21 when pos + 1 < gif.Length:
                    {
                        // Graphic control extension: 21 F9 04 <flags> <delay:2> <transparent index> 00.
                        if (gif[pos + 1] == 0xF9 && pos + 3 < gif.Length && gif[pos + 2] == 4 && (gif[pos + 3] & 0x01) != 0)
                        {
                            var copy = gif.ToArray();
                            copy[pos + 3] &= 0xFE;
                            return copy;
                        }

                        pos = SkipSubBlocks(gif, pos + 2);
                        if (pos < 0)
                        {
                            return data;
                        }

                        break;
                    }

                default:
                    // 0x2C (the first image descriptor), the trailer, or something malformed: nothing to patch.
                    return data;
            }
        }

        return data;
    }

    private static int SkipSubBlocks(ReadOnlySpan<byte> gif, int pos)
    {
        while (pos < gif.Length)
        {
            int size = gif[pos];
            pos += 1 + size;
            if (size == 0)
            {
                return pos;
            }
        }

        return -1;
    }
}
