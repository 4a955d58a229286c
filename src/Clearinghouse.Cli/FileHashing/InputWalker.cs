namespace Clearinghouse.Cli.FileHashing;

/// <summary>A file to hash, or a path that could not be read, in the order the user gave them.</summary>
internal readonly record struct InputItem(string Path, string? Error)
{
    public bool IsFile => Error is null;
}

/// <summary>
/// Expands command-line paths into files: directories recursively, entries in ordinal name order with each
/// subdirectory walked where its name falls (so output is reproducible and sorted like the paths), symbolic links
/// followed, a directory never entered twice (no link cycles). Anything unreadable becomes
/// an error item naming the path and the reason; the walk goes on.
/// </summary>
internal static class InputWalker
{
    /// <summary>
    /// The files under <paramref name="paths"/>, each unreadable path reported on <paramref name="errors"/>; null (with
    /// a line saying <paramref name="command"/> has nothing to do) when there are none.
    /// </summary>
    public static List<string>? FilesOrReport(IEnumerable<string> paths, TextWriter errors, string command)
    {
        var files = new List<string>();
        foreach (var item in Walk(paths))
        {
            if (item.IsFile)
            {
                files.Add(item.Path);
            }
            else
            {
                errors.WriteLine($"clearinghouse: {item.Path}: {item.Error}");
            }
        }

        if (files.Count == 0)
        {
            errors.WriteLine($"clearinghouse: {command}: no files to hash");
            return null;
        }

        return files;
    }

    public static IEnumerable<InputItem> Walk(IEnumerable<string> paths)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var item in WalkOne(path, visited))
            {
                yield return item;
            }
        }
    }

    private static IEnumerable<InputItem> WalkOne(string path, HashSet<string> visited)
    {
        if (File.Exists(path))
        {
            yield return new InputItem(path, null);
            yield break;
        }

        if (!Directory.Exists(path))
        {
            yield return new InputItem(path, DescribeMissing(path));
            yield break;
        }
        foreach (var item in WalkDirectory(path, visited))
        {
            yield return item;
        }
    }

    /// <summary>Entries in ordinal name order, each directory walked where its name falls (pre-order).</summary>
    private static IEnumerable<InputItem> WalkDirectory(string dir, HashSet<string> visited)
    {
        if (!visited.Add(RealPath(dir)))
        {
            yield break;
        }

        FileSystemInfo[] entries;
        string? error = null;
        try
        {
            entries = new DirectoryInfo(dir).GetFileSystemInfos();
            Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        catch (UnauthorizedAccessException)
        {
            entries = [];
            error = "permission denied (cannot list the directory)";
        }
        catch (IOException ex)
        {
            entries = [];
            error = $"cannot list the directory: {ex.Message}";
        }

        if (error is not null)
        {
            yield return new InputItem(dir, error);
            yield break;
        }

        foreach (var entry in entries)
        {
            // Paths keep the prefix the user typed (relative stays relative).
            string path = Path.Join(dir, entry.Name);
            var (isDirectory, problem) = Classify(entry);
            if (problem is not null)
            {
                yield return new InputItem(path, problem);
            }
            else if (isDirectory)
            {
                foreach (var item in WalkDirectory(path, visited))
                {
                    yield return item;
                }
            }
            else
            {
                yield return new InputItem(path, null);
            }
        }
    }

    private static (bool IsDirectory, string? Problem) Classify(FileSystemInfo entry)
    {
        if (entry.LinkTarget is null)
        {
            return (entry is DirectoryInfo, null);
        }

        try
        {
            var target = entry.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists)
            {
                return (false, $"broken symbolic link (to {entry.LinkTarget})");
            }

            return (target is DirectoryInfo || Directory.Exists(target.FullName), null);
        }
        catch (IOException ex)
        {
            return (false, $"unreadable symbolic link: {ex.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            return (false, "permission denied (cannot follow the symbolic link)");
        }
    }

    private static string DescribeMissing(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                return $"broken symbolic link (to {info.LinkTarget})";
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied";
        }

        return "no such file or directory";
    }

    private static string RealPath(string dir)
    {
        try
        {
            var target = new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true);
            return Path.GetFullPath(target?.FullName ?? dir);
        }
        catch (IOException)
        {
            return Path.GetFullPath(dir);
        }
    }
}
