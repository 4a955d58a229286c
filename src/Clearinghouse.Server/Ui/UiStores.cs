using Clearinghouse.Storage;

namespace Clearinghouse.Server.Ui;

/// <summary>The store's action and review side, which the SQL stores implement beside <see cref="IClearinghouseStore"/>.</summary>
internal static class UiStores
{
    public static IActionStore Actions(IClearinghouseStore store) =>
        store as IActionStore ?? throw new InvalidOperationException($"The store {store.GetType().Name} keeps no rules or review queue (IActionStore).");

    /// <summary>The banks the member may see, by id.</summary>
    public static async Task<Dictionary<long, Bank>> VisibleBanksAsync(IClearinghouseStore store, long memberId, CancellationToken cancellationToken) =>
        (await store.ListVisibleBanksAsync(memberId, cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Id);

    /// <summary>How long ago, in words a reviewer reads at a glance.</summary>
    public static string Age(DateTimeOffset since, DateTimeOffset now)
    {
        var age = now - since;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago"
            : $"{(int)age.TotalDays} d ago";
    }
}
