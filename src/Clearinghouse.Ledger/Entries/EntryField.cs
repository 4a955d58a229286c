namespace Clearinghouse.Ledger.Entries;

/// <summary>The rules entry fields obey, checked when an entry is built (and so when one is parsed).</summary>
internal static class EntryField
{
    /// <summary>Longest identifier-like field (ids, names, categories).</summary>
    public const int MaxIdentifier = 256;

    /// <summary>Longest free-text field (reasons, summaries).</summary>
    public const int MaxText = 4096;

    public static string Identifier(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (value.Length == 0 || value.Length > MaxIdentifier)
        {
            throw new ArgumentException($"'{field}' must have 1 to {MaxIdentifier} characters, not {value.Length}", field);
        }

        foreach (char c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"'{field}' must not contain control characters", field);
            }
        }

        return value;
    }

    public static string? OptionalIdentifier(string? value, string field) => value is null ? null : Identifier(value, field);

    public static string Text(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (value.Length == 0 || value.Length > MaxText)
        {
            throw new ArgumentException($"'{field}' must have 1 to {MaxText} characters, not {value.Length}", field);
        }

        return value;
    }

    public static string OneOf(string value, string field, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{field}' must be one of {string.Join(", ", allowed)}, not '{value}'", field);
        }

        return value;
    }

    public static string Commitment(string value, string field)
    {
        if (!ValueCommitment.IsWellFormed(value))
        {
            throw new ArgumentException($"'{field}' must be 64 lowercase hex digits", field);
        }

        return value;
    }

    public static string Scope(string value, string field)
    {
        ArgumentNullException.ThrowIfNull(value, field);
        if (value is "private" or "all-members" || (value.StartsWith("group:", StringComparison.Ordinal) && value.Length > 6))
        {
            return Identifier(value, field);
        }

        throw new ArgumentException($"'{field}' must be private, all-members or group:<name>, not '{value}'", field);
    }
}
