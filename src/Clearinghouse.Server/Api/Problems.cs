using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.Server.Api;

/// <summary>A request refused for a reason the client can fix; becomes an RFC 7807 problem+json response.</summary>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException(int status, string detail, string? title = null)
        : base(detail)
    {
        Status = status;
        Title = title ?? Problems.TitleOf(status);
    }

    public ApiProblemException()
    {
        Status = StatusCodes.Status400BadRequest;
        Title = Problems.TitleOf(Status);
    }

    public ApiProblemException(string message)
        : this(StatusCodes.Status400BadRequest, message)
    {
    }

    public ApiProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Title = Problems.TitleOf(Status);
    }

    public int Status { get; }

    public string Title { get; }

    /// <summary>Extra members for the problem document (e.g. a per-line report).</summary>
    public IDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}

/// <summary>Shortcuts for refusing requests with problem+json.</summary>
public static class Problems
{
    public static ApiProblemException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);

    public static ApiProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);

    public static ApiProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, detail);

    public static ApiProblemException Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);

    public static ApiProblemException Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, detail);

    public static ApiProblemException TooLarge(string detail) => new(StatusCodes.Status413PayloadTooLarge, detail);

    public static string TitleOf(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Unprocessable content",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => status >= 500 ? "Internal server error" : "Request refused",
    };

    /// <summary>Writes a problem+json response now (for middleware that answers before any endpoint runs).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false);
    }
}
