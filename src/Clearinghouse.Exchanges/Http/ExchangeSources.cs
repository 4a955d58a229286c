using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Clearinghouse.Exchanges.Programs;

namespace Clearinghouse.Exchanges.Http;

/// <summary>Where an exchange's pages come from: a program's live API, or a file read in full each time.</summary>
public interface IExchangeSource
{
    /// <summary>Every fetch is the whole list (a file): a sync then withdraws what it no longer lists.</summary>
    bool AlwaysFull { get; }

    /// <summary>The pages after <paramref name="checkpoint"/> (null: everything), in order, the last with
    /// <see cref="ProgramPage.More"/> false. Throws <see cref="StaleCheckpointException"/> when the program refuses the
    /// checkpoint or it is older than the program keeps updates.</summary>
    IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, CancellationToken cancellationToken = default);
}

/// <summary>A file in a program's export format, read in full by every sync (local_file, hma).</summary>
public sealed class FileSource(IProgramFormat format, string path, int pageSize) : IExchangeSource
{
    public bool AlwaysFull => true;

    public async IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ExchangeUnavailableException($"{ExchangePrograms.NameOf(format.Program)}: cannot read {path}: {ex.Message}", ex);
        }

        await using (stream.ConfigureAwait(false))
        {
            await foreach (ProgramPage page in format.ReadFileAsync(stream, path, pageSize, cancellationToken).ConfigureAwait(false))
            {
                yield return page;
            }
        }
    }
}

/// <summary>The live API sources, built from an exchange's program and settings.</summary>
public static class ExchangeSources
{
    /// <summary>The source for <paramref name="program"/>; <paramref name="http"/> is shared and not disposed here.</summary>
    public static IExchangeSource For(ExchangeProgram program, ExchangeSettings settings, HttpClient http, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return program switch
        {
            ExchangeProgram.Tcap => new TcapSource(settings, http, time),
            ExchangeProgram.ThreatExchange => new ThreatExchangeSource(settings, http, time),
            ExchangeProgram.Ncmec => new NcmecSource(settings, http, time),
            ExchangeProgram.StopNcii => new StopNciiSource(settings, http, time),
            _ => new FileSource(ProgramFormats.For(program), settings.Path ?? throw new FormatException($"a {ExchangePrograms.NameOf(program)} exchange needs the setting 'path' (the file each sync reads)"), settings.PageSize),
        };
    }
}

/// <summary>What the API sources share: the base URL, credentials, retries, and the checkpoint's age limit.</summary>
public abstract class ApiSource : IExchangeSource
{
    private protected ApiSource(ExchangeSettings settings, HttpClient http, TimeProvider? time, string program, Uri defaultBase)
    {
        Settings = settings;
        Time = time ?? TimeProvider.System;
        Program = program;
        Base = settings.BaseUrl ?? defaultBase;
        Http = new RetryingHttp(http, settings, program, Time);
    }

    public bool AlwaysFull => false;

    protected ExchangeSettings Settings { get; }

    protected TimeProvider Time { get; }

    protected string Program { get; }

    protected Uri Base { get; }

    protected RetryingHttp Http { get; }

    public abstract IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="StaleCheckpointException"/> when a checkpoint at <paramref name="at"/> is older than the limit.</summary>
    protected void RequireFresh(DateTimeOffset at, int defaultDays)
    {
        int days = Settings.StaleAfterDays ?? defaultDays;
        if (Time.GetUtcNow() - at > TimeSpan.FromDays(days))
        {
            throw new StaleCheckpointException($"{Program}: the checkpoint ({at:u}) is older than {days} days, longer than the program keeps updates");
        }
    }

    /// <summary>A path and query the program gave (absolute or not), resolved against the configured base, so a
    /// request never leaves the configured host with its credentials.</summary>
    protected Uri Resolve(string next)
    {
        string relative = Uri.TryCreate(next, UriKind.Absolute, out Uri? absolute) && absolute.Scheme is "http" or "https"
            ? absolute.PathAndQuery
            : next;
        return new Uri(Base, relative.TrimStart('/'));
    }

    /// <summary>Both halves of <c>a:b</c> credentials.</summary>
    protected (string First, string Second) Pair(string format)
    {
        string credentials = Settings.ReadCredentials(Program, format);
        int colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < credentials.Length - 1
            ? (credentials[..colon], credentials[(colon + 1)..])
            : throw new ExchangeAuthException($"{Program}: the credentials must be {format}");
    }

    /// <summary>Parses a page, or says the program's answer is not a page (with what was asked).</summary>
    protected static ProgramPage Parse(IProgramFormat format, byte[] body, Uri uri) => format.ParsePage(body, uri.GetLeftPart(UriPartial.Path));

    protected static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach ((string name, string? value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return query.ToString();
    }
}

/// <summary>TCAP: a JWT from <c>token-auth/tcap/</c> (username:password), then <c>api/hash-list/v2/all?order=asc&amp;after=&lt;checkpoint&gt;</c>
/// until <c>next</c> is null; each page's checkpoint resumes exactly after it.</summary>
public sealed class TcapSource(ExchangeSettings settings, HttpClient http, TimeProvider? time = null)
    : ApiSource(settings, http, time, "tcap", new Uri("https://beta.terrorismanalytics.org/"))
{
    private readonly TcapFormat _format = new();

    public override async IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (checkpoint is not null && TcapFormat.TimeOf(checkpoint) is null)
        {
            throw new StaleCheckpointException($"tcap: the stored checkpoint '{checkpoint}' is not '<timestamp>,<id>'");
        }

        (string user, string password) = Pair("username:password");
        Uri tokenUri = new(Base, "token-auth/tcap/");
        byte[] tokenBody = await Http.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, tokenUri)
        {
            Content = new FormUrlEncodedContent([new("username", user), new("password", password), new("resend", "false")]),
        }, cancellationToken).ConfigureAwait(false);
        string token = TokenOf(tokenBody);
        string after = checkpoint ?? string.Empty;
        while (true)
        {
            Uri uri = new(Base, "api/hash-list/v2/all" + Query(("order", "asc"), ("after", after)));
            byte[] body;
            try
            {
                body = await Http.SendAsync(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, uri);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    return request;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ExchangeUnavailableException ex) when (after.Length > 0 && ex.StatusCode is 400 or 404 or 410)
            {
                throw new StaleCheckpointException($"tcap: the program refused the checkpoint '{after}': {ex.Message}", ex);
            }

            ProgramPage page = Parse(_format, body, uri);
            yield return page;
            if (!page.More)
            {
                yield break;
            }

            if (page.Checkpoint is null || page.Checkpoint == after)
            {
                throw new ExchangeFormatException($"tcap: a page says more follow but its checkpoint does not move past '{after}'");
            }

            after = page.Checkpoint;
        }
    }

    private static string TokenOf(byte[] body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("token", out JsonElement token) && token.GetString() is { Length: > 0 } text
                ? text
                : throw new ExchangeAuthException("tcap: the authentication answer holds no token");
        }
        catch (JsonException ex)
        {
            throw new ExchangeAuthException($"tcap: the authentication answer is not JSON: {ex.Message}", ex);
        }
    }
}

/// <summary>ThreatExchange: <c>{version}/{privacy_group}/threat_updates</c> with the app's access token, following
/// <c>paging.next</c>; the checkpoint (the newest <c>last_updated</c>) is stored when the last page is applied.</summary>
public sealed class ThreatExchangeSource(ExchangeSettings settings, HttpClient http, TimeProvider? time = null)
    : ApiSource(settings, http, time, "threatexchange", new Uri("https://graph.facebook.com/"))
{
    /// <summary>ThreatExchange keeps threat_updates for about 90 days.</summary>
    private const int KeptDays = 90;

    private const string Fields = "id,indicator,type,last_updated,should_delete,descriptors{status,tags,reactions}";

    private readonly ThreatUpdatesFormat _format = new();

    public override async IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long? since = null;
        if (checkpoint is not null)
        {
            since = long.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
                ? seconds
                : throw new StaleCheckpointException($"threatexchange: the stored checkpoint '{checkpoint}' is not a Unix time");
            RequireFresh(DateTimeOffset.FromUnixTimeSeconds(since.Value), KeptDays);
        }

        string group = Settings.PrivacyGroup ?? throw new FormatException("a threatexchange exchange needs the setting 'privacy_group'");
        string token = Settings.ReadCredentials(Program, "an app access token (<app id>|<secret>)");
        Uri uri = new(Base, $"{Settings.ApiVersion}/{Uri.EscapeDataString(group)}/threat_updates" + Query(
            ("access_token", token), ("limit", Settings.PageSize.ToString(CultureInfo.InvariantCulture)), ("fields", Fields),
            ("start_time", since?.ToString(CultureInfo.InvariantCulture))));
        string? newest = checkpoint;
        while (true)
        {
            byte[] body;
            try
            {
                Uri current = uri;
                body = await Http.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, current), cancellationToken).ConfigureAwait(false);
            }
            catch (ExchangeUnavailableException ex) when (since is not null && ex.StatusCode == 400)
            {
                throw new StaleCheckpointException($"threatexchange: the program refused start_time {since}: {ex.Message}", ex);
            }

            ProgramPage page = Parse(_format, body, uri);
            newest = Newest(newest, page.Checkpoint);
            string? next = page.More ? ThreatUpdatesFormat.NextOf(body) : null;

            // The cursor in paging.next does not outlive the fetch: only the last page moves the checkpoint.
            yield return page with { Checkpoint = next is null ? newest : null, More = next is not null };
            if (next is null)
            {
                yield break;
            }

            uri = Resolve(next);
        }
    }

    private static string? Newest(string? a, string? b) =>
        a is null ? b : b is null ? a : long.Parse(a, CultureInfo.InvariantCulture) >= long.Parse(b, CultureInfo.InvariantCulture) ? a : b;
}

/// <summary>NCMEC: <c>v2/entries?from=&lt;checkpoint&gt;&amp;to=&lt;now&gt;</c> with HTTP basic auth, following
/// <c>paging/next</c>. Between pages the checkpoint is <c>"&lt;from&gt;|&lt;next path&gt;"</c> (resumes at the page);
/// after the last, the newest <c>maxTimestamp</c>.</summary>
public sealed class NcmecSource(ExchangeSettings settings, HttpClient http, TimeProvider? time = null)
    : ApiSource(settings, http, time, "ncmec", new Uri("https://report.cybertip.org/hashsharing/"))
{
    private const int KeptDays = 365 * 5;

    private readonly NcmecFormat _format = new();

    public override async IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? from = checkpoint;
        string? resume = null;
        if (checkpoint is not null)
        {
            int bar = checkpoint.IndexOf('|', StringComparison.Ordinal);
            (from, resume) = bar < 0 ? (checkpoint, null) : (checkpoint[..bar], checkpoint[(bar + 1)..]);
            if (!DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset since))
            {
                throw new StaleCheckpointException($"ncmec: the stored checkpoint '{checkpoint}' does not start with an ISO 8601 time");
            }

            RequireFresh(since, KeptDays);
        }

        (string user, string password) = Pair("username:password");
        string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        string to = Time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        Uri uri = resume is not null ? Resolve(resume) : new Uri(Base, "v2/entries" + Query(("from", from), ("to", to)));
        string? newest = from;
        while (true)
        {
            byte[] body;
            try
            {
                Uri current = uri;
                body = await Http.SendAsync(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, current);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
                    return request;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ExchangeUnavailableException ex) when (checkpoint is not null && ex.StatusCode is 400 or 404 or 410)
            {
                throw new StaleCheckpointException($"ncmec: the program refused the checkpoint '{checkpoint}': {ex.Message}", ex);
            }

            ProgramPage page = Parse(_format, body, uri);
            newest = Later(newest, page.Checkpoint);
            string? next = NcmecFormat.NextOf(body);
            yield return page with { Checkpoint = next is null ? newest : $"{from ?? newest}|{next}", More = next is not null };
            if (next is null)
            {
                yield break;
            }

            uri = Resolve(next);
        }
    }

    private static string? Later(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        return DateTimeOffset.Parse(a, CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(b, CultureInfo.InvariantCulture) ? a : b;
    }
}

/// <summary>StopNCII: <c>v1/FetchHashes?startTimestamp=&lt;checkpoint&gt;&amp;pageSize=..&amp;nextPageToken=..</c> with the
/// subscription and function keys, while <c>hasMoreRecords</c>; the checkpoint (<c>nextSetTimestamp</c>) is stored
/// when the last page is applied.</summary>
public sealed class StopNciiSource(ExchangeSettings settings, HttpClient http, TimeProvider? time = null)
    : ApiSource(settings, http, time, "stopncii", new Uri("https://api.stopncii.org/"))
{
    /// <summary>StopNCII's default start when fetching everything.</summary>
    private const long Beginning = 10;

    private const int KeptDays = 365 * 5;

    private readonly StopNciiFormat _format = new();

    public override async IAsyncEnumerable<ProgramPage> FetchAsync(string? checkpoint, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long start = Beginning;
        if (checkpoint is not null)
        {
            start = long.TryParse(checkpoint, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
                ? seconds
                : throw new StaleCheckpointException($"stopncii: the stored checkpoint '{checkpoint}' is not a Unix time");
            RequireFresh(DateTimeOffset.FromUnixTimeSeconds(start), KeptDays);
        }

        (string subscriptionKey, string functionKey) = Pair("<subscription key>:<FetchHashes function key>");
        string? token = null;
        while (true)
        {
            Uri uri = new(Base, "v1/FetchHashes" + Query(
                ("startTimestamp", start.ToString(CultureInfo.InvariantCulture)), ("pageSize", Settings.PageSize.ToString(CultureInfo.InvariantCulture)), ("nextPageToken", token)));
            byte[] body;
            try
            {
                body = await Http.SendAsync(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, uri);
                    request.Headers.Add("Ocp-Apim-Subscription-Key", subscriptionKey);
                    request.Headers.Add("x-functions-key", functionKey);
                    return request;
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ExchangeUnavailableException ex) when (checkpoint is not null && token is null && ex.StatusCode == 400)
            {
                throw new StaleCheckpointException($"stopncii: the program refused startTimestamp {start}: {ex.Message}", ex);
            }

            ProgramPage page = Parse(_format, body, uri);
            token = page.More ? StopNciiFormat.NextPageTokenOf(body) : null;
            if (page.More && string.IsNullOrEmpty(token))
            {
                throw new ExchangeFormatException("stopncii: a page says hasMoreRecords but gives no nextPageToken");
            }

            yield return page with { Checkpoint = page.More ? null : page.Checkpoint ?? checkpoint };
            if (!page.More)
            {
                yield break;
            }
        }
    }
}
