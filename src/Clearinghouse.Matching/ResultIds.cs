using System.Runtime.InteropServices;

namespace Clearinghouse.Matching;

/// <summary>
/// Keeps an index's "each id once" promise when a concurrent writer moves an id (<c>Add</c> with an existing id and
/// a new value): a reader that visits the old and the new place during the move would otherwise report it twice.
/// </summary>
internal static class ResultIds
{
    /// <summary>Removes later duplicates of an id from <paramref name="results"/>[<paramref name="start"/>..], keeping the first.</summary>
    public static void RemoveDuplicates(List<IndexMatch> results, int start)
    {
        int count = results.Count - start;
        if (count < 2)
        {
            return;
        }

        var span = CollectionsMarshal.AsSpan(results)[start..];
        int kept = 0;
        if (count <= 32)
        {
            // Few results (the usual case): quadratic, no allocation.
            for (int i = 0; i < span.Length; i++)
            {
                bool seen = false;
                for (int j = 0; j < kept && !seen; j++)
                {
                    seen = span[j].Id == span[i].Id;
                }

                if (!seen)
                {
                    span[kept++] = span[i];
                }
            }
        }
        else
        {
            var ids = new HashSet<long>(count);
            for (int i = 0; i < span.Length; i++)
            {
                if (ids.Add(span[i].Id))
                {
                    span[kept++] = span[i];
                }
            }
        }

        results.RemoveRange(start + kept, count - kept);
    }
}
