using System.Data.Common;
using System.Text.Json;
using Clearinghouse.Media.Images;
using Clearinghouse.Media.Text;
using Clearinghouse.Media.Video;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Api;

/// <summary>
/// Turns every exception a request ends with into problem+json: refusals the client can fix (store validation,
/// malformed JSON, oversize bodies, undecodable uploads) into precise 4xx, an unreachable store into 503, and
/// anything else into a 500 that reveals nothing.
/// </summary>
internal sealed partial class NodeExceptionHandler(ILogger<NodeExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads an answer.
            return true;
        }

        var (status, detail, extensions) = Map(exception);
        if (status >= 500)
        {
            LogFailed(exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        await Problems.WriteAsync(httpContext, status, Problems.TitleOf(status), detail, extensions).ConfigureAwait(false);
        return true;
    }

    internal static (int Status, string Detail, IDictionary<string, object?>? Extensions) Map(Exception exception) => exception switch
    {
        ApiProblemException p => (p.Status, p.Message, p.Extensions),
        StoreException s => (StatusOf(s.Error), s.Message, null),
        BadHttpRequestException b => (b.StatusCode, Describe(b), null),
        InvalidDataException d when d.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) =>
            (StatusCodes.Status413PayloadTooLarge, $"The upload is too large: {d.Message}", null),
        InvalidDataException d => (StatusCodes.Status400BadRequest, $"The request body is malformed: {d.Message}", null),
        JsonException j => (StatusCodes.Status400BadRequest, DescribeJson(j), null),
        ImageDecodeException i => (StatusCodes.Status422UnprocessableEntity, $"The image cannot be decoded: {i.Message}.", null),
        TextExtractionException t => (StatusCodes.Status422UnprocessableEntity, $"The text cannot be hashed: {t.Message}.", null),
        VideoDecodeException { Failure: VideoDecodeFailure.FfmpegMissing } v => (StatusCodes.Status503ServiceUnavailable, $"This node cannot hash video: {v.Message}.", null),
        VideoDecodeException v => (StatusCodes.Status422UnprocessableEntity, $"The video cannot be hashed: {v.Message}.", null),
        DbException => (StatusCodes.Status503ServiceUnavailable, "The store is unavailable; try again shortly.", null),
        TimeoutException => (StatusCodes.Status503ServiceUnavailable, "The store did not answer in time; try again shortly.", null),
        _ => (StatusCodes.Status500InternalServerError, "An internal error occurred; it has been logged.", null),
    };

    private static int StatusOf(StoreError error) => error switch
    {
        StoreError.NotFound => StatusCodes.Status404NotFound,
        StoreError.Conflict => StatusCodes.Status409Conflict,
        StoreError.UnknownCategory => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string Describe(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            return DescribeJson(json);
        }

        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return $"The request body is too large: {exception.Message}";
        }

        return exception.Message;
    }

    /// <summary>The JSON error with where it happened (System.Text.Json names the path and line).</summary>
    internal static string DescribeJson(JsonException exception)
    {
        string message = exception.Message;
        return message.StartsWith("The JSON", StringComparison.Ordinal) || message.Contains("Path:", StringComparison.Ordinal)
            ? $"Invalid JSON body: {message}"
            : $"Invalid JSON body at {exception.Path ?? "$"} (line {(exception.LineNumber ?? 0) + 1}): {message}";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailed(Exception ex, string method, string path);
}
