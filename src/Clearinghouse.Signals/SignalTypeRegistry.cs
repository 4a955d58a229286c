using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Signals;

/// <summary>Signal types by name. The store, server and CLI look types up here and nowhere else.</summary>
public sealed class SignalTypeRegistry
{
    private readonly Dictionary<string, ISignalType> _byName = new(StringComparer.Ordinal);

    /// <summary>A registry with every built-in type: pdq, md5, sha256, vpdq, text_tlsh, url, payment.</summary>
    public static SignalTypeRegistry CreateDefault()
    {
        var registry = new SignalTypeRegistry();
        registry.Register(new PdqSignalType());
        registry.Register(new Md5SignalType());
        registry.Register(new Sha256SignalType());
        registry.Register(new VpdqSignalType());
        registry.Register(new TlshSignalType());
        registry.Register(new UrlSignalType());
        registry.Register(new PaymentSignalType());
        return registry;
    }

    /// <summary>The registered types, in registration order of their names.</summary>
    public IReadOnlyCollection<ISignalType> All => _byName.Values;

    /// <summary>Adds <paramref name="type"/>; its name must be new, non-empty lowercase ASCII (letters, digits, '_').</summary>
    public void Register(ISignalType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        string name = type.Name;
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Signal type name '{name}' must be lowercase ASCII letters, digits or '_'.", nameof(type));
        }

        if (!_byName.TryAdd(name, type))
        {
            throw new ArgumentException($"A signal type named '{name}' is already registered.", nameof(type));
        }
    }

    public bool TryGet(string name, [NotNullWhen(true)] out ISignalType? type) => _byName.TryGetValue(name, out type);

    /// <exception cref="KeyNotFoundException">No such type; the message lists the known ones.</exception>
    public ISignalType Get(string name) =>
        TryGet(name, out var type)
            ? type
            : throw new KeyNotFoundException($"Unknown signal type '{name}'; known types: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}.");
}
