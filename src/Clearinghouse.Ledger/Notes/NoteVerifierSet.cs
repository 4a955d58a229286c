namespace Clearinghouse.Ledger.Notes;

/// <summary>The keys a reader trusts, looked up by (name, key id). Two keys with the same name and id are
/// ambiguous: kept, but a signature naming them is an error rather than a guess.</summary>
public sealed class NoteVerifierSet
{
    private readonly Dictionary<(string Name, uint KeyId), List<NoteVerifier>> _byId = [];

    public NoteVerifierSet(params IEnumerable<NoteVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        foreach (var verifier in verifiers)
        {
            var key = (verifier.Name, verifier.KeyId);
            if (!_byId.TryGetValue(key, out var list))
            {
                _byId[key] = list = [];
            }

            list.Add(verifier);
        }
    }

    /// <summary>The one verifier for (name, keyId); null if unknown; throws <see cref="NoteException"/> if ambiguous.</summary>
    internal NoteVerifier? Find(string name, uint keyId)
    {
        if (!_byId.TryGetValue((name, keyId), out var list))
        {
            return null;
        }

        if (list.Count > 1)
        {
            throw new NoteException(NoteError.AmbiguousKey, $"ambiguous key {name}+{keyId:x8}: the trusted keys list it {list.Count} times");
        }

        return list[0];
    }
}
