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
/// <c>clearinghouse member add|list|revoke-key</c>: operator commands that work directly on the store, on the node's
/// machine (a running node sees new keys at once and revocations within its key cache time, one second).
/// </summary>
internal static class MemberCommand
{
    public static Command Create()
    {
        var member = new Command("member", "Manage member organisations and their API keys, directly in the store (run on the node's machine; a running node picks the changes up)");
        member.Subcommands.Add(CreateAdd());
        member.Subcommands.Add(CreateList());
        member.Subcommands.Add(CreateRevokeKey());
        return member;
    }

    private static Command CreateAdd()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The organisation's name (unique)" };
        var scopes = new Option<string>("--scopes")
        {
            Description = "Comma-separated scopes of its first key: hash, match, contribute, review, admin, or all",
            DefaultValueFactory = _ => RequireScopeExtensions.Describe(AdminEndpoints.DefaultMemberScopes).Replace(" ", "", StringComparison.Ordinal),
        };
        var label = new Option<string?>("--label") { Description = "A note on the key (e.g. where it is used)" };
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
                    throw new CommandFailedException(ExitCodes.Refused, $"a member named '{memberName}' already exists (add a key to it with the API: POST /api/v1/members/ID/keys)");
                }

                var created = await s.CreateMemberAsync(memberName, cancellationToken).ConfigureAwait(false);
                var key = await new ApiKeyIssuer(s).IssueAsync(created.Id, keyScopes, parse.GetValue(label), cancellationToken).ConfigureAwait(false);
                var output = parse.InvocationConfiguration.Output;
                var scopeNames = RequireScopeExtensions.Describe(key.Record.Scopes);
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, new MemberCreated(Mapping.ToInfo(created), new IssuedKeyInfo(created.Id, key.Record.KeyId, key.Key, scopeNames, key.Record.Label)));
                }
                else
                {
                    output.WriteLine($"member {created.Id} '{created.Name}' created; its API key ({scopeNames}), shown this once:");
                    output.WriteLine();
                    output.WriteLine($"  {key.Key}");
                    output.WriteLine();
                    output.WriteLine($"Send it as 'Authorization: Bearer <key>'. Revoke it with: clearinghouse member revoke-key {key.Record.KeyId}");
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
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
