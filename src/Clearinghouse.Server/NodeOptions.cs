using Clearinghouse.Ledger.Keys;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server;

/// <summary>How a node runs: where it listens, its limits, and how its matcher follows the store.</summary>
public sealed record NodeOptions
{
    /// <summary>Addresses to listen on (Kestrel URLs). Loopback by default: exposing a node is a deliberate act.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:5100"];

    /// <summary>The store the node serves. The node disposes it on shutdown when <see cref="OwnsStore"/> is set.</summary>
    public required IClearinghouseStore Store { get; init; }

    public bool OwnsStore { get; init; }

    /// <summary>Signal types the node knows; the default registry when null.</summary>
    public SignalTypeRegistry? SignalTypes { get; init; }

    /// <summary>
    /// Key for signing pagination cursors (HMAC-SHA256). Replicas behind one load balancer need the same key, so a
    /// cursor issued by one is accepted by another; a random per-process key when null.
    /// </summary>
    public byte[]? CursorKey { get; init; }

    /// <summary>The transparency log's origin (checkpoint line 1, the signing key's name) when none is configured.</summary>
    public const string DefaultLogOrigin = "clearinghouse.localhost/log";

    /// <summary>
    /// The key that signs the transparency log's checkpoints (its name is the log's origin). Replicas sharing one
    /// PostgreSQL database must share one key. Null: a fresh key per process, fit only for tests and throwaway nodes
    /// (<c>clearinghouse serve</c> always loads or creates one in the data directory).
    /// </summary>
    public NodeSigningKey? LogSigningKey { get; init; }

    /// <summary>Disputes the public (without a key) may file per minute, for the whole node.</summary>
    public int PublicDisputesPerMinute { get; init; } = 30;

    /// <summary>How often the matcher polls the store's change feed.</summary>
    public TimeSpan ChangePollInterval { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Changes read per change-feed page (start-up load and polling).</summary>
    public int ChangePageSize { get; init; } = 20_000;

    /// <summary>/status reports the index stale (503) when the change feed has not been read for this long; zero disables.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a verified API key (with its member and groups) is trusted before it is read from the store again;
    /// a revocation made anywhere takes effect within this time. Refreshed in the background from half of it.
    /// </summary>
    public TimeSpan KeyCacheTtl { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest request body for ordinary (JSON) requests.</summary>
    public long MaxBodyBytes { get; init; } = 1L << 20;

    /// <summary>Largest upload (multipart) for hashing and matching content.</summary>
    public long MaxUploadBytes { get; init; } = 64L << 20;

    /// <summary>Largest bulk import body.</summary>
    public long MaxImportBytes { get; init; } = 256L << 20;

    /// <summary>Largest image, in pixels, decoded from an upload (decompression bombs are refused before decoding).</summary>
    public long MaxImagePixels { get; init; } = 100_000_000;

    /// <summary>Requests per second each API key may make (a token bucket); zero disables rate limiting.</summary>
    public int RateLimitPerSecond { get; init; } = 5_000;

    /// <summary>Requests a key may make in a burst above the steady rate (the bucket's size).</summary>
    public int RateLimitBurst { get; init; } = 10_000;

    /// <summary>
    /// Hosts URL-based hashing may fetch from (exact host names, or subdomains of them). Empty (the default): the node
    /// never fetches a URL on a member's behalf, and such requests are refused.
    /// </summary>
    public IReadOnlyList<string> UrlFetchAllowedHosts { get; init; } = [];

    /// <summary>Largest file fetched for URL-based hashing.</summary>
    public long UrlFetchMaxBytes { get; init; } = 64L << 20;

    /// <summary>Time limit for one URL fetch, from connect to the last byte.</summary>
    public TimeSpan UrlFetchTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The category of banks created through HMA's <c>POST /c/banks</c> when the request names none (HMA banks have no
    /// category). Null: such a request must carry <c>category</c>.
    /// </summary>
    public string? HmaDefaultCategory { get; init; }

    /// <summary>Keep a match record (member, signal, distance, time; never the content) for every reported match.</summary>
    public bool RecordMatches { get; init; } = true;

    /// <summary>The review UI's sessions and sign-in lockout.</summary>
    public Clearinghouse.Server.Ui.ReviewUiOptions ReviewUi { get; init; } = new();

    /// <summary>Log as JSON lines (one object per event) instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Minimum level of the node's own log events.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>How this node pulls from its peers (federation).</summary>
    public Clearinghouse.Server.Federation.FederationOptions Federation { get; init; } = new();
}
