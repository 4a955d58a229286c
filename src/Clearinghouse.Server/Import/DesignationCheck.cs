using Clearinghouse.Storage;

namespace Clearinghouse.Server.Import;

/// <summary>
/// Checks designation references against the designation lists the store holds: a reference to a list that has
/// been imported (<c>un:QDe.115</c> once the UN list is in) must name an entry that is on it; a reference to a
/// list the node has not imported is checked for its shape only (by <see cref="SignalImportParser.DesignationProblem"/>).
/// </summary>
public sealed class DesignationCheck(IClearinghouseStore store)
{
    private readonly Dictionary<string, string?> _verdicts = new(StringComparer.Ordinal);

    /// <summary>
    /// Why <paramref name="designation"/> fails, or null when it passes; each distinct reference is looked up once
    /// per instance (a streamed import asks line by line; a file names few distinct designations).
    /// </summary>
    public async ValueTask<string?> ProblemOfAsync(string designation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(designation);
        if (!_verdicts.TryGetValue(designation, out string? problem))
        {
            var problems = await ProblemsAsync([designation], cancellationToken).ConfigureAwait(false);
            problem = problems.TryGetValue(designation, out string? found) ? found : null;
            _verdicts[designation] = problem;
        }

        return problem;
    }

    /// <summary>For each reference that fails, why (references that pass are absent).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ProblemsAsync(IEnumerable<string?> designations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(designations);
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string? designation in designations)
        {
            if (designation is not null)
            {
                distinct.Add(designation);
            }
        }

        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (distinct.Count == 0)
        {
            return problems;
        }

        var held = (await store.ListDesignationListsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(l => l.List, StringComparer.Ordinal);
        var checkable = distinct.Where(d => held.ContainsKey(ListOf(d))).ToList();
        if (checkable.Count == 0)
        {
            return problems;
        }

        var found = (await store.GetDesignationsAsync([.. checkable.Select(Normalised)], cancellationToken).ConfigureAwait(false))
            .ToDictionary(d => d.Key, StringComparer.Ordinal);
        foreach (string designation in checkable)
        {
            string list = ListOf(designation);
            if (!found.TryGetValue(Normalised(designation), out Designation? entry))
            {
                problems[designation] = $"designation '{designation}' is not on the {list} list as imported on {held[list].LastImportedAt:yyyy-MM-dd} (see clearinghouse designations show)";
            }
            else if (!entry.Listed)
            {
                problems[designation] = $"designation '{designation}' was removed from the {list} list (absent from its import of {entry.DelistedAt:yyyy-MM-dd})";
            }
        }

        return problems;
    }

    /// <summary>The list part of <c>list:reference</c>, in lower case (list names are stored in lower case).</summary>
    private static string ListOf(string designation)
    {
        int colon = designation.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? "" : designation[..colon].ToLowerInvariant();
    }

    private static string Normalised(string designation) => ListOf(designation) + designation[designation.IndexOf(':', StringComparison.Ordinal)..];
}
