using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clearinghouse.Exchanges;

/// <summary>
/// An exchange's non-secret settings, kept by the store as a JSON object. Secrets are never part of them: the
/// live clients read credentials at sync time from the environment variable or file named here.
/// </summary>
public sealed record ExchangeSettings
{
    /// <summary>Every key a settings object may have.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "base_url", "page_size", "credentials_env", "credentials_file", "path", "default_category", "categories",
        "max_attempts", "retry_base_ms", "stale_after_days", "privacy_group", "api_version",
    ];

    /// <summary>The API's root (each program has a default; tests point it at a loopback server).</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Records per API page, and per store transaction when reading files.</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>The environment variable holding the credentials (format per program, see docs/exchanges.md).</summary>
    public string? CredentialsEnv { get; init; }

    /// <summary>A file holding the credentials (first line).</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>For local_file and hma exchanges: the file each sync reads in full.</summary>
    public string? Path { get; init; }

    /// <summary>The category of records no tag maps; null: such records are skipped and reported. When the
    /// settings do not mention it, the target bank's category.</summary>
    public string? DefaultCategory { get; init; }

    /// <summary>Whether <see cref="DefaultCategory"/> was given (null then means "skip unmapped records").</summary>
    public bool DefaultCategoryGiven { get; init; }

    /// <summary>Program tags (case-insensitive) and the category each maps to; checked before the built-in rule.</summary>
    public IReadOnlyDictionary<string, string> Categories { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Attempts per HTTP request (the first and the retries) on 429, 5xx and network errors.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first retry's delay; each next one doubles it (with jitter).</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A checkpoint older than this is not trusted: the next sync fetches everything. Null: the program's default.</summary>
    public int? StaleAfterDays { get; init; }

    /// <summary>ThreatExchange: the privacy group whose threat_updates are fetched.</summary>
    public string? PrivacyGroup { get; init; }

    /// <summary>ThreatExchange: the Graph API version in the path.</summary>
    public string ApiVersion { get; init; } = "v18.0";

    /// <summary>Parses a settings object, refusing unknown keys and wrong types with a message naming the key.</summary>
    public static ExchangeSettings Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("exchange settings must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"exchange settings are not valid JSON: {ex.Message}", ex);
        }

        var settings = new ExchangeSettings();
        foreach ((string key, JsonNode? value) in root)
        {
            settings = key switch
            {
                "base_url" => settings with { BaseUrl = AbsoluteUri(key, Text(key, value)) },
                "page_size" => settings with { PageSize = Number(key, value, 1, 100_000) },
                "credentials_env" => settings with { CredentialsEnv = Text(key, value) },
                "credentials_file" => settings with { CredentialsFile = Text(key, value) },
                "path" => settings with { Path = Text(key, value) },
                "default_category" => settings with { DefaultCategory = value is null ? null : Text(key, value), DefaultCategoryGiven = true },
                "categories" => settings with { Categories = Map(key, value) },
                "max_attempts" => settings with { MaxAttempts = Number(key, value, 1, 20) },
                "retry_base_ms" => settings with { RetryBase = TimeSpan.FromMilliseconds(Number(key, value, 0, 600_000)) },
                "stale_after_days" => settings with { StaleAfterDays = Number(key, value, 1, 36_500) },
                "privacy_group" => settings with { PrivacyGroup = Text(key, value) },
                "api_version" => settings with { ApiVersion = Text(key, value) },
                _ => throw new FormatException($"unknown exchange setting '{key}' (known: {string.Join(", ", Keys)})"),
            };
        }

        return settings;
    }

    /// <summary>The credentials from <see cref="CredentialsEnv"/> or <see cref="CredentialsFile"/>; throws when neither gives any.</summary>
    public string ReadCredentials(string program, string format)
    {
        if (CredentialsEnv is { } variable)
        {
            return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment.Trim()
                : throw new ExchangeAuthException($"{program}: the environment variable {variable} (credentials_env) is not set; it must hold {format}");
        }

        if (CredentialsFile is { } file)
        {
            try
            {
                string? line = File.ReadLines(file).FirstOrDefault(l => l.Trim().Length > 0);
                return line?.Trim() ?? throw new ExchangeAuthException($"{program}: the credentials file {file} is empty; it must hold {format}");
            }
            catch (IOException ex)
            {
                throw new ExchangeAuthException($"{program}: cannot read the credentials file {file}: {ex.Message}", ex);
            }
        }

        throw new ExchangeAuthException($"{program}: no credentials configured: set credentials_env (an environment variable) or credentials_file, holding {format}");
    }

    private static string Text(string key, JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? text) && text.Length > 0 ? text : throw new FormatException($"exchange setting '{key}' must be a non-empty string");

    private static int Number(string key, JsonNode? value, int min, int max) =>
        value is JsonValue v && v.TryGetValue(out int n) && n >= min && n <= max ? n : throw new FormatException($"exchange setting '{key}' must be a whole number from {min} to {max}");

    private static Uri AbsoluteUri(string key, string text)
    {
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new FormatException($"exchange setting '{key}' must be an absolute http(s) URL");
        }

        return uri;
    }

    private static Dictionary<string, string> Map(string key, JsonNode? value)
    {
        if (value is not JsonObject map)
        {
            throw new FormatException($"exchange setting '{key}' must be an object of tag: category");
        }

        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string tag, JsonNode? category) in map)
        {
            result[tag] = Text($"{key}.{tag}", category);
        }

        return result;
    }
}
