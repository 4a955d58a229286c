using System.Text.RegularExpressions;

namespace Clearinghouse.Storage;

/// <summary>What makes a taxonomy well-formed, checked alike for a file and for one built in code.</summary>
public static partial class TaxonomyRules
{
    /// <summary>The precise reason a taxonomy is not acceptable, or null when it is.</summary>
    public static string? Validate(Taxonomy taxonomy)
    {
        ArgumentNullException.ThrowIfNull(taxonomy);
        if (taxonomy.Version < 1)
        {
            return $"version must be 1 or more, found {taxonomy.Version}";
        }

        if (taxonomy.Categories is null || taxonomy.Categories.Count == 0)
        {
            return "a taxonomy needs at least one category";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < taxonomy.Categories.Count; i++)
        {
            Category category = taxonomy.Categories[i];
            if (category is null)
            {
                return $"categories[{i}] is null";
            }

            if (category.Id is null || !CategoryId().IsMatch(category.Id))
            {
                return $"categories[{i}]: id \"{category.Id}\" must be lower-case words joined by hyphens (e.g. attack-footage)";
            }

            if (!seen.Add(category.Id))
            {
                return $"categories[{i}]: id \"{category.Id}\" appears more than once";
            }

            if (string.IsNullOrWhiteSpace(category.Title))
            {
                return $"categories[{i}] ({category.Id}): title is empty";
            }

            if (string.IsNullOrWhiteSpace(category.Description))
            {
                return $"categories[{i}] ({category.Id}): description is empty";
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex CategoryId();
}
