namespace Clearinghouse.Tests;

/// <summary>
/// The sanctions-list fixtures (tests/Shared/Sanctions, copied beside the test assembly) and hostile variants built
/// from them.
/// </summary>
internal static class SanctionsFiles
{
    public static string UnList => PathOf("consolidated.xml");

    public static string Sdn => PathOf("sdn.xml");

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Sanctions", name);

    /// <summary>A file that declares a DTD with an external entity (XXE): must be refused before anything is read from outside.</summary>
    public static string ExternalEntity(string root) =>
        $"<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<{root}>&xxe;</{root}>\n";

    /// <summary>The billion-laughs entity expansion.</summary>
    public static string BillionLaughs(string root)
    {
        var dtd = new System.Text.StringBuilder("<!ENTITY lol0 \"lol\">");
        for (int i = 1; i < 10; i++)
        {
            dtd.Append($"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))}\">");
        }

        return $"<?xml version=\"1.0\"?>\n<!DOCTYPE {root} [{dtd}]>\n<{root}>&lol9;</{root}>\n";
    }

    /// <summary>The first <paramref name="fraction"/> of a fixture, as a download cut short.</summary>
    public static string Truncated(string path, double fraction)
    {
        string text = File.ReadAllText(path);
        return text[..(int)(text.Length * fraction)];
    }
}
