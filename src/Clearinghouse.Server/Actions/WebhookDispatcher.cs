using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Clearinghouse.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Actions;

/// <summary>
/// Sends the outbox's deliveries: claims what is due (each endpoint's oldest pending delivery, leased so no other
/// node sends it meanwhile), POSTs it signed, and records the outcome: delivered on 2xx; otherwise a retry after an
/// exponential, fully jittered backoff, or dead after <see cref="WebhookOptions.MaxAttempts"/> attempts. Every
/// delivery is in the store before the match that caused it is acknowledged, so a restart loses none: at least once,
/// in outbox order per endpoint.
/// </summary>
internal sealed partial class WebhookDispatcher : BackgroundService
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string EventHeader = "Clearinghouse-Event";
    public const string DeliveryHeader = "Clearinghouse-Delivery";

    /// <summary>A lease outlives the attempt's timeout by this much, so a slow commit never lets a second node start.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    private readonly IActionStore _store;
    private readonly WebhookOptions _options;
    private readonly DeliveryWakeup _wakeup;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;

    public WebhookDispatcher(IActionStore store, NodeOptions options, DeliveryWakeup wakeup, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _store = store;
        _options = options.Webhooks;
        _wakeup = wakeup;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            // A receiver's redirect is not followed: the member registered this URL, and only this URL.
            AllowAutoRedirect = false,
            ConnectTimeout = _options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Clearinghouse-Webhooks", "1"));
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                IReadOnlyList<DueDelivery> due = await _store.ClaimDueDeliveriesAsync(_options.Concurrency, _options.Timeout + LeaseMargin, stoppingToken).ConfigureAwait(false);
                if (due.Count > 0)
                {
                    await Task.WhenAll(due.Select(d => AttemptAsync(d, stoppingToken))).ConfigureAwait(false);
                    continue;
                }

                DateTimeOffset? next = await _store.GetNextDeliveryDueAsync(stoppingToken).ConfigureAwait(false);
                TimeSpan wait = _options.PollInterval;
                if (next is DateTimeOffset at)
                {
                    TimeSpan until = at - _time.GetUtcNow();
                    wait = until < TimeSpan.Zero ? TimeSpan.Zero : until < wait ? until : wait;
                }

                await _wakeup.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogDispatchFailed(e);
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AttemptAsync(DueDelivery due, CancellationToken stoppingToken)
    {
        WebhookDelivery delivery = due.Delivery;
        (bool delivered, int? status, string? error) = await SendAsync(due, stoppingToken).ConfigureAwait(false);
        int attempts = delivery.Attempts + 1;
        DateTimeOffset? retryAt = null;
        if (!delivered && attempts < _options.MaxAttempts)
        {
            retryAt = _time.GetUtcNow() + WebhookBackoff.Delay(attempts, _options.BaseDelay, _options.MaxDelay, Random.Shared);
        }

        try
        {
            // Recorded even while the node stops (the attempt happened), so the outcome is not lost with the lease.
            await _store.CompleteDeliveryAttemptAsync(delivery.Id, new DeliveryAttempt(delivered, status, error, retryAt), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The lease runs out and the delivery is attempted again: at least once.
            LogRecordFailed(e, delivery.Id);
            return;
        }

        if (delivered)
        {
            LogDelivered(delivery.Id, delivery.EndpointId, attempts);
        }
        else if (retryAt is null)
        {
            LogDead(delivery.Id, delivery.EndpointId, attempts, error);
        }
        else
        {
            LogRetry(delivery.Id, delivery.EndpointId, attempts, error, retryAt.Value);
        }
    }

    private async Task<(bool Delivered, int? Status, string? Error)> SendAsync(DueDelivery due, CancellationToken stoppingToken)
    {
        WebhookDelivery delivery = due.Delivery;
        byte[] body = Encoding.UTF8.GetBytes(delivery.Payload);
        long timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, due.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Header(due.Secret, timestamp, body));
        request.Headers.Add(IdempotencyHeader, delivery.IdempotencyKey);
        request.Headers.Add(EventHeader, delivery.EventType);
        request.Headers.Add(DeliveryHeader, delivery.Id.ToString(CultureInfo.InvariantCulture));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (true, status, null) : (false, status, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return (false, null, "interrupted: the node was stopping");
        }
        catch (OperationCanceledException)
        {
            return (false, null, $"timed out after {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException e)
        {
            return (false, null, "request failed: " + e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The webhook dispatcher failed; retrying")]
    private partial void LogDispatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording webhook delivery {DeliveryId}'s attempt failed; it will be attempted again")]
    private partial void LogRecordFailed(Exception exception, long deliveryId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} delivered (attempt {Attempts})")]
    private partial void LogDelivered(long deliveryId, long endpointId, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} failed (attempt {Attempts}: {Error}); retry at {RetryAt}")]
    private partial void LogRetry(long deliveryId, long endpointId, int attempts, string? error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} is dead after {Attempts} attempts ({Error})")]
    private partial void LogDead(long deliveryId, long endpointId, int attempts, string? error);
}
