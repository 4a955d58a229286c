using System.Globalization;
using System.Text.Json;

namespace Clearinghouse.Storage;

/// <summary>
/// Reads the published taxonomy from its versioned data file (<c>taxonomy.vN.json</c>). The file is strict: an
/// unknown property, a missing field or a value of the wrong kind is an error naming its place in the file, so a
/// typo can never silently change what a category means.
/// </summary>
/// <remarks>
/// Shape: <c>{"version": 1, "categories": [{"id", "title", "description", "requiresDesignation"}, ...]}</c>.
/// </remarks>
public static class TaxonomyFile
{
    /// <summary>The name of the taxonomy file built into this assembly.</summary>
    public const string DefaultResourceName = "Clearinghouse.Storage.taxonomy.v1.json";

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 8 };

    /// <summary>The taxonomy shipped with the node (the five starting categories of the design).</summary>
    public static Taxonomy LoadDefault()
    {
        using Stream stream = typeof(TaxonomyFile).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"The built-in taxonomy resource {DefaultResourceName} is missing from the assembly.");
        return Load(stream);
    }

    /// <summary>Reads a taxonomy file from a path.</summary>
    /// <exception cref="TaxonomyFileException">The file is not a valid taxonomy.</exception>
    public static Taxonomy Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Reads a taxonomy file.</summary>
    /// <exception cref="TaxonomyFileException">The content is not a valid taxonomy.</exception>
    public static Taxonomy Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new TaxonomyFileException(
                $"taxonomy file is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        using (document)
        {
            Taxonomy taxonomy = Read(document.RootElement);
            string? error = TaxonomyRules.Validate(taxonomy);
            return error is null ? taxonomy : throw new TaxonomyFileException("taxonomy file: " + error);
        }
    }

    /// <summary>The taxonomy in the file's format (indented, categories in order); <see cref="Load(Stream)"/> reads it back unchanged.</summary>
    public static string ToJson(Taxonomy taxonomy)
    {
        ArgumentNullException.ThrowIfNull(taxonomy);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", taxonomy.Version);
            writer.WriteStartArray("categories");
            foreach (Category category in taxonomy.Categories)
            {
                writer.WriteStartObject();
                writer.WriteString("id", category.Id);
                writer.WriteString("title", category.Title);
                writer.WriteString("description", category.Description);
                writer.WriteBoolean("requiresDesignation", category.RequiresDesignation);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static Taxonomy Read(JsonElement root)
    {
        const string Where = "taxonomy file";
        RequireObject(root, Where, "version", "categories");
        JsonElement version = Required(root, Where, "version");
        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int number))
        {
            throw new TaxonomyFileException($"{Where}: \"version\" must be an integer, found {Describe(version)}");
        }

        JsonElement array = Required(root, Where, "categories");
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new TaxonomyFileException($"{Where}: \"categories\" must be an array, found {Describe(array)}");
        }

        var categories = new List<Category>(array.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            categories.Add(ReadCategory(item, string.Create(CultureInfo.InvariantCulture, $"{Where}: categories[{index}]")));
            index++;
        }

        return new Taxonomy(number, categories);
    }

    private static Category ReadCategory(JsonElement item, string where)
    {
        RequireObject(item, where, "id", "title", "description", "requiresDesignation");
        JsonElement requires = Required(item, where, "requiresDesignation");
        if (requires.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new TaxonomyFileException($"{where}: \"requiresDesignation\" must be true or false, found {Describe(requires)}");
        }

        return new Category(
            RequiredString(item, where, "id"),
            RequiredString(item, where, "title"),
            RequiredString(item, where, "description"),
            requires.GetBoolean());
    }

    private static void RequireObject(JsonElement element, string where, params ReadOnlySpan<string> allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TaxonomyFileException($"{where}: expected an object, found {Describe(element)}");
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw new TaxonomyFileException($"{where}: unknown property \"{property.Name}\" (allowed: {string.Join(", ", allowed.ToArray())})");
            }
        }
    }

    private static JsonElement Required(JsonElement element, string where, string name) =>
        element.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new TaxonomyFileException($"{where}: missing property \"{name}\"");

    private static string RequiredString(JsonElement element, string where, string name)
    {
        JsonElement value = Required(element, where, name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new TaxonomyFileException($"{where}: \"{name}\" must be a string, found {Describe(value)}");
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "the number " + element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };
}
