using System.Buffers;
using Clearinghouse.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Clearinghouse.Server.Hashing;

/// <summary>One uploaded file held in a pooled buffer; dispose to return it.</summary>
internal sealed class UploadedFile : IDisposable
{
    private byte[]? _buffer;

    public UploadedFile(string fieldName, byte[] buffer, int length, IFormCollection form)
    {
        FieldName = fieldName;
        _buffer = buffer;
        Length = length;
        Form = form;
    }

    /// <summary>The multipart field the file came in (HMA names the content type there).</summary>
    public string FieldName { get; }

    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(UploadedFile));

    public int Length { get; }

    /// <summary>The other form fields (e.g. content_type, metadata, note).</summary>
    public IFormCollection Form { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Reads multipart/form-data uploads with the node's size limit.</summary>
internal static class Uploads
{
    /// <summary>Reads the one file of a multipart request (a 400 problem when there is none or more than one).</summary>
    public static async Task<UploadedFile> ReadSingleAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw Problems.BadRequest("Missing multipart/form-data file upload.");
        }

        // The form limits follow the node's upload limit rather than ASP.NET Core's defaults.
        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = maxBytes,
            ValueCountLimit = 64,
            ValueLengthLimit = 64 * 1024,
            MultipartHeadersCountLimit = 16,
            MemoryBufferThreshold = 1 << 20,
        }));
        var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        if (form.Files.Count == 0)
        {
            throw Problems.BadRequest("Missing multipart/form-data file upload.");
        }

        if (form.Files.Count > 1)
        {
            throw Problems.BadRequest("Only one file allowed per request.");
        }

        var file = form.Files[0];
        if (file.Length > maxBytes)
        {
            throw Problems.TooLarge($"The file is {file.Length:N0} bytes, over this node's upload limit of {maxBytes:N0} bytes.");
        }

        int length = (int)file.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            var stream = file.OpenReadStream();
            await using (stream.ConfigureAwait(false))
            {
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }

            return new UploadedFile(file.Name, buffer, length, form);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
