using System.CommandLine;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Server;

namespace Clearinghouse.Cli.Node;

/// <summary>Where the log's signing key is and, for a new key, its name (the log's origin).</summary>
internal sealed record LogKeySettings(string? KeyFile, string? Origin)
{
    public static LogKeySettings Default { get; } = new(null, null);
}

/// <summary><c>--signing-key FILE</c> and <c>--log-origin NAME</c>, for <c>serve</c>.</summary>
internal sealed class LogKeyOptions
{
    public Option<string?> KeyFile { get; } = new("--signing-key")
    {
        Description = $"The transparency log's Ed25519 signing key file (default: {LogKeyFile.FileName} in the data directory, created on first start with mode 0600). Replicas sharing one PostgreSQL database must all use the same key file",
    };

    public Option<string?> Origin { get; } = new("--log-origin")
    {
        Description = $"The log's origin (checkpoint line 1 and the key's name, e.g. clearinghouse.example.org/log) for a new key (default {NodeOptions.DefaultLogOrigin}); an existing key keeps its own",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(KeyFile);
        command.Options.Add(Origin);
    }

    public LogKeySettings Read(ParseResult parse)
    {
        string? origin = parse.GetValue(Origin);
        if (origin is not null && NoteKeyName.Problem(origin) is { } problem)
        {
            throw new UsageException($"--log-origin: {problem}");
        }

        string? file = parse.GetValue(KeyFile);
        return new LogKeySettings(string.IsNullOrWhiteSpace(file) ? null : Path.GetFullPath(file), origin);
    }
}

/// <summary>Loads the log's signing key, creating it on first start.</summary>
internal static class LogKeyFile
{
    public const string FileName = "log-signing.key";

    public static string PathOf(LogKeySettings settings, string dataDirectory) => settings.KeyFile ?? Path.Combine(dataDirectory, FileName);

    /// <summary>The key in the configured file; a new one (named <see cref="LogKeySettings.Origin"/>) when the file does not exist.</summary>
    public static NodeSigningKey LoadOrCreate(LogKeySettings settings, string dataDirectory, out bool created)
    {
        string path = PathOf(settings, dataDirectory);
        try
        {
            if (File.Exists(path))
            {
                created = false;
                var key = NodeSigningKey.Load(path);
                if (settings.Origin is not null && settings.Origin != key.Name)
                {
                    key.Dispose();
                    throw new CommandFailedException(ExitCodes.BadInput, $"the signing key {path} is named '{key.Name}', not --log-origin '{settings.Origin}': a log keeps its origin for life");
                }

                return key;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return NodeSigningKey.LoadOrCreate(path, settings.Origin ?? NodeOptions.DefaultLogOrigin, out created);
        }
        catch (KeyFileException e)
        {
            throw new CommandFailedException(ExitCodes.BadInput, e.Message);
        }
    }
}
