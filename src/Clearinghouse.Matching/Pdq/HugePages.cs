using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// Allocates the index's hash chunks (its largest random-access arrays) so that Linux backs them with 2 MiB
/// transparent huge pages.
/// </summary>
/// <remarks>
/// <para>Why: a query at 1 M verifies ~4,150 candidates, each a random 32-byte read from a 32 MB hash array. On this
/// kind of VM (nested paging) most of a random read's 50–70 ns is the TLB miss; with 2 MiB pages the page walk
/// mostly hits. Transparent huge pages are commonly in <c>madvise</c> mode, so memory gets them only when asked.</para>
/// <para>How: the array is allocated pinned (pinned-object heap, so its address never changes and the advice stays on
/// the memory that holds it), uninitialised so that the GC has not faulted its pages in yet, then
/// <c>madvise(MADV_HUGEPAGE)</c> is called on its pages (rounded outward to whole 4 KiB pages: the advice is only a
/// hint, harmless to a neighbouring object, and it lets consecutive arrays merge into one advised mapping so the 2 MiB
/// pages that straddle two of them qualify too), and only then cleared, so the first touch faults in huge pages.
/// The arrays stay ordinary managed arrays: the lock-free publication design is unchanged and the GC still counts
/// them (bytes/hash as the bench measures it is unchanged).</para>
/// <para>Only the hash chunks use it: advising the posting and wide offset arrays too gained ~10 % q/s at 10 M but
/// cost ~0.6 s of build there (their pages are faulted in by an extra clear, on memory the GC reuses); see
/// docs/matching.md.</para>
/// <para>Anywhere else (not Linux, madvise missing or refusing, arrays under 2 MiB that cannot hold a huge page) this
/// is a plain zeroed array.</para>
/// </remarks>
internal static partial class HugePages
{
    /// <summary>The x86-64 / arm64 transparent huge page size; smaller arrays cannot hold one.</summary>
    public const int HugePageSize = 2 << 20;

    /// <summary><c>MADV_HUGEPAGE</c> from Linux's <c>mman-common.h</c> (the same on every architecture).</summary>
    private const int MadvHugePage = 14;

    /// <summary><c>MADV_COLLAPSE</c> (Linux 6.1+).</summary>
    private const int MadvCollapse = 25;

    private static int s_collapsed;
    private static int s_advised;
    private static int s_failed;
    private static volatile bool s_unavailable;

    /// <summary>Whether large arrays are advised at all (Linux only; tests turn it off to check the plain path).</summary>
    public static bool Enabled { get; set; } = OperatingSystem.IsLinux();

    /// <summary>Arrays successfully advised so far (diagnostics and tests).</summary>
    public static int Advised => Volatile.Read(ref s_advised);

    /// <summary>Successful synchronous collapses so far.</summary>
    public static int Collapsed => Volatile.Read(ref s_collapsed);

    /// <summary>madvise calls that failed so far (e.g. a kernel without transparent huge pages).</summary>
    public static int Failed => Volatile.Read(ref s_failed);

    /// <summary>A zeroed array of <paramref name="length"/> elements, advised for huge pages when it is worth it.</summary>
    /// <param name="length">Elements.</param>
    /// <param name="collapse">Also collapse its pages into huge pages now (<c>MADV_COLLAPSE</c>): needed when the GC
    /// hands out memory it already faulted in with 4 KiB pages (a region reused after parsing garbage), which the
    /// advice alone does not change. It copies such pages (the hash chunks take most of the random reads: ~4,150 per
    /// query at 1 M against 272 posting runs).</param>
    public static T[] Allocate<T>(int length, bool collapse = false)
        where T : unmanaged
    {
        long bytes = (long)length * Unsafe.SizeOf<T>();
        if (!Enabled || s_unavailable || bytes < HugePageSize)
        {
            return new T[length];
        }

        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        Advise(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0), bytes);

        // Cleared after the advice: this first touch is what faults the (huge) pages in. It also gives the same
        // contents as `new T[length]` — the memory may be reused.
        array.AsSpan().Clear();
        if (collapse)
        {
            Collapse(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0), bytes);
        }

        return array;
    }

    /// <summary>Advises <c>[address, address + bytes)</c>, widened to whole pages; failures only count.</summary>
    internal static bool Advise(nint address, long bytes)
    {
        long page = Environment.SystemPageSize;
        long start = address & ~(page - 1);
        long end = (address + bytes + page - 1) & ~(page - 1);
        try
        {
            if (Madvise((nint)start, (nuint)(end - start), MadvHugePage) == 0)
            {
                Interlocked.Increment(ref s_advised);
                return true;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc madvise (not glibc/musl Linux): stop trying, plain arrays from now on.
            s_unavailable = true;
        }

        Interlocked.Increment(ref s_failed);
        return false;
    }

    /// <summary>
    /// Asks the kernel to turn the 2 MiB pages overlapping <c>[address, address + bytes)</c> into huge pages now.
    /// </summary>
    internal static bool Collapse(nint address, long bytes)
    {
        long start = address & ~(long)(HugePageSize - 1);
        long end = (address + bytes + HugePageSize - 1) & ~(long)(HugePageSize - 1);
        try
        {
            if (Madvise((nint)start, (nuint)(end - start), MadvCollapse) == 0)
            {
                Interlocked.Increment(ref s_collapsed);
                return true;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
