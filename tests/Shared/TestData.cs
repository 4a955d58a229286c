namespace Clearinghouse.Tests;

/// <summary>Locates the upstream reference data in <c>../shared/testdata</c> beside the repository.</summary>
internal static class TestData
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    private static readonly Lazy<string> RepoPath = new(FindRepo);

    /// <summary>The repository root (the folder holding Clearinghouse.slnx).</summary>
    public static string RepositoryRoot => RepoPath.Value;

    /// <summary><c>../shared/testdata</c> relative to the repository root.</summary>
    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        string testdata = Path.GetFullPath(Path.Combine(FindRepo(), "..", "shared", "testdata"));
        if (!Directory.Exists(testdata))
        {
            throw new DirectoryNotFoundException($"Reference data not found at {testdata} (expected ../shared/testdata beside the repository).");
        }

        return testdata;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Clearinghouse.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Repository root (Clearinghouse.slnx) not found above " + AppContext.BaseDirectory);
    }
}
