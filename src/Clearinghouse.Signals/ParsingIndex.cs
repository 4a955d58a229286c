using Clearinghouse.Matching;

namespace Clearinghouse.Signals;

/// <summary>
/// A signal type's index as the node holds it: keyed by the stored (canonical) strings, parsed with the type's own
/// parser on the way in and out, delegating everything else to the typed index of the matching layer.
/// </summary>
internal sealed class ParsingIndex<TValue>(ISignalIndex<TValue> inner, Func<string, TValue> parse) : ISignalIndex<string>
{
    public int Count => inner.Count;

    public bool Contains(long id) => inner.Contains(id);

    public bool Remove(long id) => inner.Remove(id);

    public IDisposable BeginBulkLoad() => inner.BeginBulkLoad();

    public void Add(long id, string value) => inner.Add(id, parse(value));

    public void Query(string value, int threshold, List<IndexMatch> results) => inner.Query(parse(value), threshold, results);
}
