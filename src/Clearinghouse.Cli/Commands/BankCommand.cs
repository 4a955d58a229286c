using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Server.Api;
using Clearinghouse.Server.Api.Own;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse bank create|list|show|disable|enable|delete</c>: operator commands on the store (run on the
/// node's machine; a running node follows the change within a second). Members manage their own banks through
/// the API instead (<c>/api/v1/banks</c>, <c>/c/banks</c>).
/// </summary>
internal static class BankCommand
{
    public static Command Create()
    {
        var bank = new Command("bank", "Manage banks directly in the store, as the operator (run on the node's machine; members use the API)");
        bank.Subcommands.Add(CreateCreate());
        bank.Subcommands.Add(CreateList());
        bank.Subcommands.Add(CreateShow());
        bank.Subcommands.Add(CreateToggle("disable", "Stop matching against a bank (its signals are kept)", enabled: false));
        bank.Subcommands.Add(CreateToggle("enable", "Match against a disabled bank again", enabled: true));
        bank.Subcommands.Add(CreateDelete());
        return bank;
    }

    private static Command CreateCreate()
    {
        var store = new StoreOptions();
        var name = BankName();
        var category = new Option<string>("--category", "-c") { Description = "Its taxonomy category, e.g. attack-footage (a bank holds exactly one)", Required = true };
        var scope = new Option<string>("--scope") { Description = "Who may see and match against it: private (its owner), group (with --group), all (every member)", DefaultValueFactory = _ => "all" };
        var group = new Option<long?>("--group") { Description = "The sharing group id, for --scope group" };
        var negative = new Option<bool>("--negative") { Description = "A negative bank: known-benign signals whose matches suppress other matches" };
        var thresholds = new Option<string[]>("--threshold")
        {
            Description = "A per-signal-type match threshold overriding the type's default, as TYPE=N (e.g. pdq=20); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var owner = new Option<string>("--owner") { Description = "The member that owns it", DefaultValueFactory = _ => AdminBootstrap.AdminMemberName };
        var description = new Option<string?>("--description") { Description = "What the bank holds, for its members" };
        var disabled = new Option<bool>("--disabled") { Description = "Create it disabled (not matched until 'bank enable')" };
        var json = JsonOption();
        var command = new Command("create", "Create a bank") { name, category, scope, group, negative, thresholds, owner, description, disabled, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string bankName = parse.GetValue(name)!;
            var limits = ParseThresholds(parse.GetValue(thresholds) ?? []);
            SharingScope sharing;
            long? groupId;
            try
            {
                BankEndpoints.ValidateName(bankName);
                BankEndpoints.ValidateThresholds(SignalTypeRegistry.CreateDefault(), limits);
                sharing = Mapping.ParseScope(parse.GetValue(scope)!);
                groupId = parse.GetValue(group);
                if ((sharing == SharingScope.Group) != groupId.HasValue)
                {
                    throw new UsageException(sharing == SharingScope.Group ? "--scope group needs --group ID" : "--group is only for --scope group");
                }
            }
            catch (ApiProblemException ex)
            {
                throw new UsageException(ex.Message.TrimEnd('.'));
            }

            return NodeStore.RunAsync(store.Read(parse), async s =>
            {
                string ownerName = parse.GetValue(owner)!;
                var ownerMember = await s.FindMemberAsync(ownerName, cancellationToken).ConfigureAwait(false)
                    ?? throw new CommandFailedException(ExitCodes.Refused, $"no member named '{ownerName}' to own the bank (members: clearinghouse member list; the first 'serve' creates '{AdminBootstrap.AdminMemberName}')");
                if (await s.FindBankAsync(bankName, cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new CommandFailedException(ExitCodes.Refused, $"a bank named '{bankName}' already exists");
                }

                var created = await s.CreateBankAsync(
                    new NewBank(bankName, parse.GetValue(category)!, ownerMember.Id, sharing, groupId, !parse.GetValue(disabled), parse.GetValue(negative), limits, parse.GetValue(description)),
                    cancellationToken).ConfigureAwait(false);
                Print(parse, created, ownerMember.Name, verb: "created");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateList()
    {
        var store = new StoreOptions();
        var json = new Option<bool>("--json") { Description = "One JSON object per bank (the API's bank shape)" };
        var command = new Command("list", "List the live banks") { json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var output = parse.InvocationConfiguration.Output;
            var owners = (await s.ListMembersAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(m => m.Id, m => m.Name);
            foreach (var bank in await s.ListBanksAsync(cancellationToken).ConfigureAwait(false))
            {
                if (parse.GetValue(json))
                {
                    JsonLines.Write(output, Mapping.ToInfo(bank));
                    continue;
                }

                output.WriteLine($"{bank.Name}  {bank.Category}  {Flags(bank)}  owner {owners.GetValueOrDefault(bank.OwnerMemberId, "?")}");
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateShow()
    {
        var store = new StoreOptions();
        var name = BankName();
        var json = JsonOption();
        var command = new Command("show", "Show one bank's settings") { name, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var bank = await FindAsync(s, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            var owner = await s.GetMemberAsync(bank.OwnerMemberId, cancellationToken).ConfigureAwait(false);
            Print(parse, bank, owner?.Name ?? "?", verb: null);
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateToggle(string verb, string description, bool enabled)
    {
        var store = new StoreOptions();
        var name = BankName();
        var json = JsonOption();
        var command = new Command(verb, description) { name, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var bank = await FindAsync(s, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            var updated = await s.UpdateBankAsync(bank.Id, new BankUpdate(Enabled: enabled), cancellationToken).ConfigureAwait(false);
            var owner = await s.GetMemberAsync(bank.OwnerMemberId, cancellationToken).ConfigureAwait(false);
            Print(parse, updated, owner?.Name ?? "?", verb: enabled ? "enabled" : "disabled");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateDelete()
    {
        var store = new StoreOptions();
        var name = BankName();
        var json = new Option<bool>("--json") { Description = "Print {\"deleted\": NAME} as one JSON line" };
        var command = new Command("delete", "Delete a bank: it stops matching and its signals are withdrawn (kept for the record)") { name, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var bank = await FindAsync(s, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            await s.DeleteBankAsync(bank.Id, cancellationToken).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                JsonLines.Write(output, new Dictionary<string, string> { ["deleted"] = bank.Name });
            }
            else
            {
                output.WriteLine($"bank '{bank.Name}' deleted; its signals are withdrawn");
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    internal static async Task<Bank> FindAsync(IClearinghouseStore store, string name, CancellationToken cancellationToken) =>
        await store.FindBankAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new CommandFailedException(ExitCodes.Refused, $"no bank named '{name}' (banks: clearinghouse bank list)");

    private static Argument<string> BankName() => new("NAME") { Description = "The bank's name" };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the bank as one JSON object (the API's bank shape)" };

    private static void Print(ParseResult parse, Bank bank, string owner, string? verb)
    {
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue<bool>("--json"))
        {
            JsonLines.Write(output, Mapping.ToInfo(bank));
            return;
        }

        if (verb is not null)
        {
            output.WriteLine($"bank '{bank.Name}' {verb}");
        }

        output.WriteLine($"  name:        {bank.Name}");
        output.WriteLine($"  category:    {bank.Category}");
        output.WriteLine($"  owner:       {owner} (member {bank.OwnerMemberId})");
        output.WriteLine($"  scope:       {Mapping.ScopeName(bank.Scope)}{(bank.SharingGroupId is long g ? $" (group {g})" : "")}");
        output.WriteLine($"  state:       {Flags(bank)}");
        string limits = bank.Thresholds.Count == 0
            ? "signal type defaults"
            : string.Join(", ", bank.Thresholds.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key}={t.Value}")));
        output.WriteLine($"  thresholds:  {limits}");
        if (bank.Description is not null)
        {
            output.WriteLine($"  description: {bank.Description}");
        }

        output.WriteLine($"  created:     {MemberCommand.Time(bank.CreatedAt)}");
    }

    private static string Flags(Bank bank) => (bank.Enabled ? "enabled" : "disabled") + (bank.Negative ? ", negative" : "");

    private static Dictionary<string, int>? ParseThresholds(string[] items)
    {
        if (items.Length == 0)
        {
            return null;
        }

        var thresholds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            int equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !int.TryParse(item.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                throw new UsageException($"--threshold '{item}' is not TYPE=N (e.g. pdq=20)");
            }

            if (!thresholds.TryAdd(item[..equals].Trim().ToLowerInvariant(), value))
            {
                throw new UsageException($"--threshold gives '{item[..equals]}' twice");
            }
        }

        return thresholds;
    }
}
