using System.Text;

namespace Clearinghouse.Storage.Tests;

public sealed class TaxonomyFileTests
{
    [Fact]
    public void The_default_taxonomy_has_the_five_categories_and_their_designation_rules()
    {
        Taxonomy taxonomy = TaxonomyFile.LoadDefault();
        Assert.Equal(1, taxonomy.Version);
        Assert.Equal(
            [
                ("designated-entity", true),
                ("branded-publication", true),
                ("attacker-manifesto", false),
                ("attack-footage", false),
                ("terrorist-fundraising", true),
            ],
            taxonomy.Categories.Select(c => (c.Id, c.RequiresDesignation)));
        Assert.All(taxonomy.Categories, c => Assert.False(string.IsNullOrWhiteSpace(c.Title)));
        Assert.All(taxonomy.Categories, c => Assert.False(string.IsNullOrWhiteSpace(c.Description)));
    }

    [Fact]
    public void Writing_a_taxonomy_and_loading_it_back_gives_the_same_taxonomy()
    {
        Taxonomy taxonomy = TaxonomyFile.LoadDefault();
        Taxonomy again = Load(TaxonomyFile.ToJson(taxonomy));
        Assert.Equal(taxonomy.Version, again.Version);
        Assert.Equal(taxonomy.Categories, again.Categories);
    }

    [Theory]
    [InlineData("{\"version\": 1, \"categories\": [", "not valid JSON (line 1")]
    [InlineData("[]", "expected an object, found an array")]
    [InlineData("{\"categories\": []}", "missing property \"version\"")]
    [InlineData("{\"version\": \"1\", \"categories\": []}", "\"version\" must be an integer, found a string")]
    [InlineData("{\"version\": 1.5, \"categories\": []}", "\"version\" must be an integer, found the number 1.5")]
    [InlineData("{\"version\": 0, \"categories\": [" + Footage + "]}", "version must be 1 or more")]
    [InlineData("{\"version\": 1, \"categories\": []}", "at least one category")]
    [InlineData("{\"version\": 1, \"categories\": {}}", "\"categories\" must be an array")]
    [InlineData("{\"version\": 1, \"categories\": [" + Footage + "], \"extra\": 1}", "unknown property \"extra\"")]
    [InlineData("{\"version\": 1, \"categories\": [" + Footage + ", " + Footage + "]}", "id \"attack-footage\" appears more than once")]
    [InlineData("{\"version\": 1, \"categories\": [{\"id\": \"x\", \"title\": \"t\", \"description\": \"d\"}]}", "categories[0]: missing property \"requiresDesignation\"")]
    [InlineData("{\"version\": 1, \"categories\": [" + Footage + ", {\"id\": \"x\", \"title\": \"t\", \"description\": \"d\", \"requiresDesignation\": \"yes\"}]}", "categories[1]: \"requiresDesignation\" must be true or false, found a string")]
    [InlineData("{\"version\": 1, \"categories\": [{\"id\": \"Attack Footage\", \"title\": \"t\", \"description\": \"d\", \"requiresDesignation\": false}]}", "lower-case words joined by hyphens")]
    [InlineData("{\"version\": 1, \"categories\": [{\"id\": \"x\", \"title\": \" \", \"description\": \"d\", \"requiresDesignation\": false}]}", "title is empty")]
    [InlineData("{\"version\": 1, \"categories\": [{\"id\": \"x\", \"title\": \"t\", \"description\": 5, \"requiresDesignation\": false}]}", "\"description\" must be a string, found the number 5")]
    [InlineData("{\"version\": 1, \"categories\": [{\"id\": \"x\", \"title\": \"t\", \"description\": \"d\", \"requiresDesignation\": false, \"person\": \"x\"}]}", "categories[0]: unknown property \"person\"")]
    public void A_malformed_file_is_refused_with_a_precise_message(string json, string expected)
    {
        TaxonomyFileException e = Assert.Throws<TaxonomyFileException>(() => Load(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private const string Footage = "{\"id\": \"attack-footage\", \"title\": \"t\", \"description\": \"d\", \"requiresDesignation\": false}";

    private static Taxonomy Load(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return TaxonomyFile.Load(stream);
    }
}
