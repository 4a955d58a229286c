using System.CommandLine;
using System.CommandLine.Invocation;
using Clearinghouse.Cli.Commands;

namespace Clearinghouse.Cli;

/// <summary>The <c>clearinghouse</c> command tree.</summary>
public static class CliApp
{
    /// <param name="input">Standard input, for commands that read values from it (default: the console's).</param>
    public static RootCommand BuildRoot(TextReader? input = null)
    {
        var root = new RootCommand(
            "Clearinghouse: hash, share and match terrorist and violent-extremist content signals, accountably.");
        root.Subcommands.Add(HashCommand.Create(input ?? Console.In));
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MemberCommand.Create());
        root.Subcommands.Add(ReviewerCommand.Create(input ?? Console.In));
        root.Subcommands.Add(BankCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(ImportOfacCommand.Create());
        root.Subcommands.Add(ExchangeCommand.Create());
        root.Subcommands.Add(DesignationsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(MatchCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(LogCommand.Create());
        root.Subcommands.Add(PeerCommand.Create());
        return root;
    }

    /// <summary>Parses and runs a command line; returns the exit status (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        var parse = BuildRoot(input).Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            parse.Invoke(config);
            return ExitCodes.UsageError;
        }

        try
        {
            return parse.Invoke(config);
        }
        catch (UsageException ex)
        {
            error.WriteLine($"clearinghouse: {ex.Message}");
            return ExitCodes.UsageError;
        }
        catch (CommandFailedException ex)
        {
            error.WriteLine($"clearinghouse: {ex.Message}");
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error.WriteLine($"clearinghouse: internal error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.InternalError;
        }
    }
}

/// <summary>A command line that parses but makes no sense (for example an unknown signal type).</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A command that could not do its job for a reason given in one line, with the exit status to return.</summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.InternalError;
}
