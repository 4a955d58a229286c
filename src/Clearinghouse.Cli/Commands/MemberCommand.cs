using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Api;
using Clearinghouse.Server.Api.Own;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse member add|add-key|list|revoke-key</c>: operator commands that work directly on the store, on the node's
/// machine (a running node sees new keys at once and revocations within its key cache time, one second).
/// </summary>
internal static class MemberCommand
{
    public static Command Create()
    {
        var member = new Command("member", "Manage member organisations and their API keys, directly in the store (run on the node's machine; a running node picks the changes up)");
        member.Subcommands.Add(CreateAdd());
        member.Subcommands.Add(CreateAddKey());
        member.Subcommands.Add(CreateList());
        member.Subcommands.Add(CreateRevokeKey());
        return member;
    }

    private static Option<string> ScopesOption(string of) => new("--scopes")
    {
        Description = $"Comma-separated scopes of {of}: hash, match, contribute, review, admin, or all",
        DefaultValueFactory = _ => RequireScopeExtensions.Describe(AdminEndpoints.DefaultMemberScopes).Replace(" ", "", StringComparison.Ordinal),
    };

    private static Option<string?> LabelOption() => new("--label") { Description = "A note on the key (e.g. where it is used)" };

    private static Command CreateAdd()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The organisation's name (unique)" };
        var scopes = ScopesOption("its first key");
        var label = LabelOption();
        var json = new Option<bool>("--json") { Description = "Print {\"member\": {...}, \"key\": {\"key\", \"key_id\", \"scopes\", ...}} as one JSON line" };
        var command = new Command("add", "Create a member and its first API key; the key is printed this once and never again") { name, scopes, label, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string memberName = parse.GetValue(name)!.Trim();
            if (memberName.Length is 0 or > 200)
            {
                throw new UsageException("NAME must be 1 to 200 characters");
            }

            var keyScopes = ParseScopes(parse.GetValue(scopes)!);
            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                if (await s.FindMemberAsync(memberName, cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new CommandFailedException(ExitCodes.Refused, $"a member named '{memberName}' already exists (issue it another key with: clearinghouse member add-key '{memberName}')");
                }

                var created = await s.CreateMemberAsync(memberName, cancellationToken).ConfigureAwait(false);
                await IssueAndPrintAsync(s, created, keyScopes, parse.GetValue(label), parse.GetValue(json), parse.InvocationConfiguration.Output, $"member {created.Id} '{created.Name}' created", cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateAddKey()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("MEMBER") { Description = "The member's name or numeric id" };
        var scopes = ScopesOption("the key");
        var label = LabelOption();
        var json = new Option<bool>("--json") { Description = "Print {\"member\": {...}, \"key\": {...}} as one JSON line, as member add does" };
        var command = new Command("add-key", "Issue another API key to an existing member (e.g. to rotate one: add the new key, then revoke the old); printed this once") { name, scopes, label, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string memberRef = parse.GetValue(name)!.Trim();
            var keyScopes = ParseScopes(parse.GetValue(scopes)!);
            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                Member found = await FindMemberAsync(s, memberRef, cancellationToken).ConfigureAwait(false);
                if (!found.Active)
                {
                    throw new CommandFailedException(ExitCodes.Refused, $"member '{found.Name}' is inactive; it cannot be issued keys");
                }

                await IssueAndPrintAsync(s, found, keyScopes, parse.GetValue(label), parse.GetValue(json), parse.InvocationConfiguration.Output, $"new key for member {found.Id} '{found.Name}'", cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>A member by name, or by numeric id when no member has that name; exit 5 when neither.</summary>
    internal static async Task<Member> FindMemberAsync(IClearinghouseStore store, string nameOrId, CancellationToken cancellationToken) =>
        await store.FindMemberAsync(nameOrId, cancellationToken).ConfigureAwait(false)
        ?? (long.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out long id)
            ? await store.GetMemberAsync(id, cancellationToken).ConfigureAwait(false)
            : null)
        ?? throw new CommandFailedException(ExitCodes.Refused, $"no member named '{nameOrId}' (members: clearinghouse member list)");

    /// <summary>Issues a key and prints it, the one time its secret is ever shown.</summary>
    private static async Task IssueAndPrintAsync(IClearinghouseStore store, Member member, ApiScopes scopes, string? label, bool json, TextWriter output, string headline, CancellationToken cancellationToken)
    {
        var key = await new ApiKeyIssuer(store).IssueAsync(member.Id, scopes, label, cancellationToken).ConfigureAwait(false);
        var scopeNames = RequireScopeExtensions.Describe(key.Record.Scopes);
        if (json)
        {
            JsonLines.Write(output, new MemberCreated(Mapping.ToInfo(member), new IssuedKeyInfo(member.Id, key.Record.KeyId, key.Key, scopeNames, key.Record.Label)));
            return;
        }

        output.WriteLine($"{headline}; its API key ({scopeNames}), shown this once:");
        output.WriteLine();
        output.WriteLine($"  {key.Key}");
        output.WriteLine();
        output.WriteLine($"Send it as 'Authorization: Bearer <key>'. Revoke it with: clearinghouse member revoke-key {key.Record.KeyId}");
    }

    private static Command CreateList()
    {
        var store = new StoreOptions();
        var json = new Option<bool>("--json") { Description = "One JSON object per member: {id, name, created_at, active, keys: [{key_id, scopes, label, created_at, revoked_at}]}" };
        var command = new Command("list", "List members and their API keys (key ids and scopes; secrets are never stored)") { json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var output = parse.InvocationConfiguration.Output;
            foreach (var m in await s.ListMembersAsync(cancellationToken).ConfigureAwait(false))
            {
                var keys = await s.ListApiKeysAsync(m.Id, cancellationToken).ConfigureAwait(false);
                var infos = keys.Select(k => new KeyInfo(k.KeyId, k.MemberId, RequireScopeExtensions.Describe(k.Scopes), k.Label, k.CreatedAt, k.RevokedAt)).ToList();
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, new MemberListing(m.Id, m.Name, m.CreatedAt, m.Active, infos));
                    continue;
                }

                output.WriteLine($"{m.Id,4}  {m.Name}{(m.Active ? "" : "  (inactive)")}  created {Time(m.CreatedAt)}");
                foreach (var k in infos)
                {
                    string state = k.RevokedAt is { } revoked ? $"REVOKED {Time(revoked)}" : "active";
                    output.WriteLine($"      key {k.KeyId}  {state}  [{k.Scopes}]{(k.Label is null ? "" : $"  \"{k.Label}\"")}  created {Time(k.CreatedAt)}");
                }
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateRevokeKey()
    {
        var store = new StoreOptions();
        var keyId = new Argument<string>("KEYID") { Description = "The key's public id: the 12 characters after 'chk_' (see member list)" };
        var json = new Option<bool>("--json") { Description = "Print {\"key_id\", \"revoked\": true} as one JSON line" };
        var command = new Command("revoke-key", "Revoke an API key: a running node refuses it within a second") { keyId, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string id = parse.GetValue(keyId)!.Trim();
            if (id.StartsWith(ApiKeyFormat.Prefix, StringComparison.Ordinal) && id.Length > 4 + ApiKeyFormat.KeyIdLength)
            {
                // A whole key was pasted: take its id part rather than echo the secret in an error.
                id = id.Substring(4, ApiKeyFormat.KeyIdLength);
            }

            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                var existing = await s.FindApiKeyAsync(id, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    throw new CommandFailedException(ExitCodes.Refused, $"no API key with id '{id}' (key ids are listed by: clearinghouse member list)");
                }

                if (!await s.RevokeApiKeyAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    throw new CommandFailedException(ExitCodes.Refused, $"API key '{id}' was already revoked at {Time(existing.RevokedAt!.Value)}");
                }

                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, new KeyRevoked(id, true));
                }
                else
                {
                    output.WriteLine($"API key {id} revoked");
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static ApiScopes ParseScopes(string text) =>
        RequireScopeExtensions.TryParseScopes(text, out var scopes, out var error) ? scopes : throw new UsageException($"--scopes: {error}");

    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
