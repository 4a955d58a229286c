using System.CommandLine;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Ui;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse reviewer add|list|disable|enable|set-password</c>: the review UI's reviewer accounts, directly in the
/// store on the node's machine (a running node sees changes on the reviewer's next request).
/// </summary>
internal static class ReviewerCommand
{
    public static Command Create(TextReader input)
    {
        var reviewer = new Command("reviewer", "Manage reviewers (members' users who sign in to the review UI at /ui), directly in the store");
        reviewer.Subcommands.Add(CreateAdd(input));
        reviewer.Subcommands.Add(CreateList());
        reviewer.Subcommands.Add(CreateSetDisabled(disable: true));
        reviewer.Subcommands.Add(CreateSetDisabled(disable: false));
        reviewer.Subcommands.Add(CreateSetPassword(input));
        return reviewer;
    }

    private static Option<string> MemberOption() => new("--member") { Description = "The reviewer's member: its name or numeric id", Required = true };

    private static Option<string> UsernameOption() => new("--username") { Description = "The reviewer's username (unique within the member; letters, digits, . _ - @)", Required = true };

    private static Option<bool> PasswordStdinOption() => new("--password-stdin")
    {
        Description = $"Read the password from the first line of standard input (at least {ReviewerPasswords.MinLength} characters); required, so it never appears in the process list or shell history",
    };

    private static Option<bool> JsonOption(string what) => new("--json") { Description = $"Print {what} as one JSON line: {{id, member_id, username, scopes, disabled, created_at, disabled_at, last_sign_in_at, locked_until, settings}}" };

    private static Command CreateAdd(TextReader input)
    {
        var store = new StoreOptions();
        var member = MemberOption();
        var username = UsernameOption();
        var passwordStdin = PasswordStdinOption();
        var scopes = new Option<string>("--scopes") { Description = "Comma-separated scopes (review is always included): review, admin, ...", DefaultValueFactory = _ => "review" };
        var json = JsonOption("the new reviewer");
        var command = new Command("add", "Create a reviewer of a member; it signs in at /ui with the member's name, its username and the password") { member, username, passwordStdin, scopes, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string password = ReadPassword(parse.GetValue(passwordStdin), input);
            if (!RequireScopeExtensions.TryParseScopes(parse.GetValue(scopes)!, out var scopeSet, out var error))
            {
                throw new UsageException($"--scopes: {error}");
            }

            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var found = await MemberCommand.FindMemberAsync(s, parse.GetValue(member)!.Trim(), cancellationToken).ConfigureAwait(false);
                var created = await ReviewerAccounts.CreateAsync(Reviewers(s), found.Id, parse.GetValue(username)!.Trim(), password, scopeSet, cancellationToken).ConfigureAwait(false);
                Print(parse, json, created, $"reviewer {created.Id} '{created.Username}' of member '{found.Name}' created; it signs in at /ui");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateList()
    {
        var store = new StoreOptions();
        var member = new Option<string?>("--member") { Description = "Only this member's reviewers (name or numeric id)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per reviewer: {id, member_id, username, scopes, disabled, created_at, disabled_at, last_sign_in_at, locked_until, settings}" };
        var command = new Command("list", "List reviewers (never their passwords)") { member, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            long? memberId = parse.GetValue(member) is { } name ? (await MemberCommand.FindMemberAsync(s, name.Trim(), cancellationToken).ConfigureAwait(false)).Id : null;
            var names = (await s.ListMembersAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(m => m.Id, m => m.Name);
            var output = parse.InvocationConfiguration.Output;
            foreach (var r in await Reviewers(s).ListReviewersAsync(memberId, cancellationToken).ConfigureAwait(false))
            {
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, ReviewerInfo.From(r));
                    continue;
                }

                string state = r.IsDisabled ? $"DISABLED {MemberCommand.Time(r.DisabledAt!.Value)}" : r.LockedUntil is { } locked && locked > DateTimeOffset.UtcNow ? $"locked until {MemberCommand.Time(locked)}" : "active";
                string lastSignIn = r.LastSignInAt is { } at ? MemberCommand.Time(at) : "never";
                output.WriteLine($"{r.Id,4}  {r.Username}  ({names.GetValueOrDefault(r.MemberId, "?")})  {state}  [{ReviewerAccounts.DescribeScopes(r.Scopes)}]  last sign-in {lastSignIn}");
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateSetDisabled(bool disable)
    {
        var store = new StoreOptions();
        var member = MemberOption();
        var username = UsernameOption();
        var json = JsonOption("the reviewer after the change");
        var command = disable
            ? new Command("disable", "Disable a reviewer: it cannot sign in, and its open sessions end at its next request") { member, username, json }
            : new Command("enable", "Enable a disabled reviewer again") { member, username, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var found = await FindReviewerAsync(s, parse.GetValue(member)!, parse.GetValue(username)!, cancellationToken).ConfigureAwait(false);
            if (found.IsDisabled == disable)
            {
                throw new CommandFailedException(ExitCodes.Refused, $"reviewer '{found.Username}' is already {(disable ? "disabled" : "enabled")}");
            }

            var changed = await Reviewers(s).SetReviewerDisabledAsync(found.Id, disable, cancellationToken).ConfigureAwait(false);
            Print(parse, json, changed, $"reviewer {changed.Id} '{changed.Username}' {(disable ? "disabled" : "enabled")}");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateSetPassword(TextReader input)
    {
        var store = new StoreOptions();
        var member = MemberOption();
        var username = UsernameOption();
        var passwordStdin = PasswordStdinOption();
        var json = JsonOption("the reviewer after the change");
        var command = new Command("set-password", "Give a reviewer a new password: its open sessions end and any sign-in pause is lifted") { member, username, passwordStdin, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string password = ReadPassword(parse.GetValue(passwordStdin), input);
            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var found = await FindReviewerAsync(s, parse.GetValue(member)!, parse.GetValue(username)!, cancellationToken).ConfigureAwait(false);
                var changed = await ReviewerAccounts.SetPasswordAsync(Reviewers(s), found.Id, password, cancellationToken).ConfigureAwait(false);
                Print(parse, json, changed, $"new password set for reviewer {changed.Id} '{changed.Username}'; its sessions have ended");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static IReviewerStore Reviewers(IClearinghouseStore store) =>
        store as IReviewerStore ?? throw new CommandFailedException(ExitCodes.Unavailable, "this store keeps no reviewer accounts");

    private static async Task<Reviewer> FindReviewerAsync(IClearinghouseStore store, string memberRef, string username, CancellationToken cancellationToken)
    {
        var member = await MemberCommand.FindMemberAsync(store, memberRef.Trim(), cancellationToken).ConfigureAwait(false);
        return await Reviewers(store).FindReviewerAsync(member.Id, username.Trim(), cancellationToken).ConfigureAwait(false)
            ?? throw new CommandFailedException(ExitCodes.Refused, $"member '{member.Name}' has no reviewer '{username.Trim()}' (reviewers: clearinghouse reviewer list)");
    }

    /// <summary>The password from standard input's first line; a usage error without --password-stdin or when it is unacceptable.</summary>
    private static string ReadPassword(bool fromStdin, TextReader input)
    {
        if (!fromStdin)
        {
            throw new UsageException("--password-stdin is required: pipe the password in (e.g. from a password manager), never on the command line");
        }

        string password = input.ReadLine() ?? string.Empty;
        return ReviewerPasswords.Problem(password) is { } problem ? throw new UsageException($"--password-stdin: {problem}") : password;
    }

    private static void Print(ParseResult parse, Option<bool> json, Reviewer reviewer, string headline)
    {
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json))
        {
            JsonLines.Write(output, ReviewerInfo.From(reviewer));
        }
        else
        {
            output.WriteLine(headline);
        }
    }
}
