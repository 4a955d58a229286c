using System.Globalization;
using System.Net;

namespace Clearinghouse.Exchanges.Http;

/// <summary>
/// One HTTP request to a program's API with bounded retries: 429, 5xx, time-outs and network errors are retried
/// up to <see cref="ExchangeSettings.MaxAttempts"/> times with exponential backoff and jitter (a Retry-After the
/// program sends is honoured, capped); 401 and 403 fail at once with <see cref="ExchangeAuthException"/>; any
/// other status fails with <see cref="ExchangeUnavailableException"/> carrying it.
/// </summary>
public sealed class RetryingHttp(HttpClient client, ExchangeSettings settings, string program, TimeProvider? time = null)
{
    /// <summary>The longest wait between attempts, whatever Retry-After says.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Attempts made by this instance's requests (for reports and tests).</summary>
    public int Attempts { get; private set; }

    /// <summary>Sends the request <paramref name="build"/> makes (anew for each attempt) and returns the body of a 2xx answer.</summary>
    public async Task<byte[]> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        for (int attempt = 1; ; attempt++)
        {
            Attempts++;
            using HttpRequestMessage request = build();
            string what = $"{program}: {request.Method} {Redacted(request.RequestUri)}";
            TimeSpan? retryAfter = null;
            string failure;
            try
            {
                using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                }

                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new ExchangeAuthException($"{what}: HTTP {status} {response.ReasonPhrase}: the program refused the credentials (check credentials_env / credentials_file)");
                }

                if (status != 429 && status < 500)
                {
                    string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    throw new ExchangeUnavailableException($"{what}: HTTP {status} {response.ReasonPhrase}: {Shorten(body)}") { StatusCode = status };
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
                failure = string.Create(CultureInfo.InvariantCulture, $"HTTP {status} {response.ReasonPhrase}");
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timed out: " + ex.Message;
            }

            if (attempt >= settings.MaxAttempts)
            {
                throw new ExchangeUnavailableException($"{what}: {failure} (gave up after {attempt} attempts)");
            }

            await Task.Delay(DelayBefore(attempt + 1, retryAfter), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Backoff before <paramref name="attempt"/>: base × 2^(attempt-2), ±25 % jitter, or the program's Retry-After; capped.</summary>
    private TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked < MaxDelay ? asked : MaxDelay;
        }

        double factor = Math.Pow(2, attempt - 2) * (0.75 + (Random.Shared.NextDouble() * 0.5));
        TimeSpan delay = settings.RetryBase * factor;
        return delay < MaxDelay ? delay : MaxDelay;
    }

    /// <summary>The URL without its query (which may carry an access token).</summary>
    private static string Redacted(Uri? uri) => uri is null ? "?" : uri.GetLeftPart(UriPartial.Path);

    private static string Shorten(string text) => text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 297), "...");
}
