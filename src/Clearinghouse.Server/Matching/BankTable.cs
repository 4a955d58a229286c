using System.Collections.Frozen;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Matching;

/// <summary>
/// The live banks as the change feed last showed them: an immutable snapshot, replaced whole on every bank change
/// (banks are few and change rarely), so lookups read it without locks.
/// </summary>
internal sealed class BankTable
{
    public static BankTable Empty { get; } = new(0, []);

    private BankTable(long version, IEnumerable<Bank> banks)
    {
        Version = version;
        ById = banks.ToFrozenDictionary(b => b.Id);
        ByName = ById.Values.ToFrozenDictionary(b => b.Name, StringComparer.Ordinal);
    }

    /// <summary>Changes with every replacement; member views remember the version they were computed from.</summary>
    public long Version { get; }

    public FrozenDictionary<long, Bank> ById { get; }

    public FrozenDictionary<string, Bank> ByName { get; }

    /// <summary>A table with <paramref name="changes"/> applied: deleted banks leave it, others are added or replaced.</summary>
    public BankTable With(IEnumerable<Bank> changes)
    {
        var banks = new Dictionary<long, Bank>(ById);
        foreach (var bank in changes)
        {
            if (bank.Deleted)
            {
                banks.Remove(bank.Id);
            }
            else
            {
                banks[bank.Id] = bank;
            }
        }

        return new BankTable(Version + 1, banks.Values);
    }

    /// <summary>The match threshold of <paramref name="type"/> in <paramref name="bank"/>: the bank's override, else the type's default.</summary>
    public static int ThresholdOf(Bank bank, ISignalType type) =>
        bank.Thresholds.TryGetValue(type.Name, out int threshold) ? threshold : type.DefaultThreshold;
}
