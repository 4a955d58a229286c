namespace Clearinghouse.Server.Actions;

/// <summary>Wakes the webhook dispatcher when this node wrote deliveries, so they go out without waiting for a poll.</summary>
internal sealed class DeliveryWakeup : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        // At most one pending wake: the dispatcher claims everything due when it runs.
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    public void Dispose() => _signal.Dispose();

    /// <summary>Waits for a wake or <paramref name="timeout"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
