using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Server.Api;

/// <summary>
/// Opaque, tamper-proof pagination cursors: base64url of (position ‖ HMAC-SHA256 tag), the tag computed with the
/// node's key over the position, the member the page was served to and the list it belongs to (route and
/// filters). An edited cursor, a cursor of another member, or one replayed against another list fails the check.
/// </summary>
internal sealed class CursorCodec
{
    private const int TagBytes = 16;
    private const int PositionBytes = 8;
    private readonly byte[] _key;

    public CursorCodec(byte[]? key)
    {
        if (key is not null && key.Length < 16)
        {
            throw new ArgumentException("The cursor key needs at least 16 bytes.", nameof(key));
        }

        _key = key ?? RandomNumberGenerator.GetBytes(32);
    }

    public string Encode(long position, long memberId, string list)
    {
        Span<byte> token = stackalloc byte[PositionBytes + TagBytes];
        BinaryPrimitives.WriteInt64BigEndian(token, position);
        Tag(position, memberId, list, token[PositionBytes..]);
        return Base64Url.EncodeToString(token);
    }

    /// <summary>The position in <paramref name="cursor"/>; a 400 problem when it is not one this node issued for this member and list.</summary>
    public long Decode(string cursor, long memberId, string list)
    {
        Span<byte> token = stackalloc byte[PositionBytes + TagBytes + 3];
        if (cursor.Length > 64
            || Base64Url.DecodeFromChars(cursor, token, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != PositionBytes + TagBytes)
        {
            throw Problems.BadRequest("The cursor is not valid: pass next_cursor exactly as a previous page returned it.");
        }

        long position = BinaryPrimitives.ReadInt64BigEndian(token);
        Span<byte> expected = stackalloc byte[TagBytes];
        Tag(position, memberId, list, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, token.Slice(PositionBytes, TagBytes)) || position < 0)
        {
            throw Problems.BadRequest("The cursor is not valid for this list and API key: it was altered, or issued for another list or member.");
        }

        return position;
    }

    private void Tag(long position, long memberId, string list, Span<byte> destination)
    {
        int listBytes = Encoding.UTF8.GetByteCount(list);
        byte[] message = new byte[16 + listBytes];
        BinaryPrimitives.WriteInt64BigEndian(message, position);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(8), memberId);
        Encoding.UTF8.GetBytes(list, message.AsSpan(16));
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, message, mac);
        mac[..TagBytes].CopyTo(destination);
    }
}
