using System.Globalization;
using Npgsql;

namespace Clearinghouse.Storage;

/// <summary>
/// Turns what an operator types (<c>postgres://user:password@host:5432/db?sslmode=require</c>, or Npgsql's own
/// <c>Host=…;Username=…</c> form) into an Npgsql connection string, with a precise error for anything else.
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>True for a <c>postgres://</c> or <c>postgresql://</c> URL, or a string of Npgsql keywords naming a host.</summary>
    public static bool IsPostgres(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (IsUrl(trimmed))
        {
            return true;
        }

        if (!trimmed.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(trimmed);
            return !string.IsNullOrEmpty(builder.Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The Npgsql connection string for a URL or an Npgsql connection string.</summary>
    /// <exception cref="FormatException">Neither a valid URL nor a valid Npgsql connection string.</exception>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        try
        {
            NpgsqlConnectionStringBuilder builder = IsUrl(trimmed) ? FromUrl(trimmed) : new NpgsqlConnectionStringBuilder(trimmed);
            return string.IsNullOrEmpty(builder.Host)
                ? throw new FormatException("PostgreSQL connection string names no host")
                : builder.ConnectionString;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"not a valid PostgreSQL connection string: {e.Message}", e);
        }
    }

    private static bool IsUrl(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"not a valid PostgreSQL URL (expected postgres://user:password@host:port/database): {Redact(url)}");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.DnsSafeHost,
            Port = uri.Port > 0 ? uri.Port : 5432,
        };
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            string value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[key] = value;
            }
            catch (ArgumentException e)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL URL option \"{key}\" is not understood: {e.Message}"), e);
            }
        }

        return builder;
    }

    /// <summary>The URL with any password replaced, for error messages.</summary>
    private static string Redact(string url)
    {
        int at = url.IndexOf('@', StringComparison.Ordinal);
        int scheme = url.IndexOf("://", StringComparison.Ordinal) + 3;
        int colon = at < 0 ? -1 : url.IndexOf(':', scheme, at - scheme);
        return colon < 0 ? url : string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at));
    }
}
