using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>Opens files for hashing without ever blocking on special files.</summary>
internal static partial class UnixFile
{
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;   // O_NONBLOCK on Linux (x86-64 and arm64)
    private const int CloseOnExec = 0x80000; // O_CLOEXEC

    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading. Plain <c>open(O_RDONLY)</c> on a FIFO waits for a
    /// writer forever; with O_NONBLOCK it returns at once, and the caller refuses the unseekable stream.
    /// </summary>
    public static FileStream OpenForReading(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }

        int fd = Open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 => new FileNotFoundException("no such file", path),          // ENOENT
                13 or 1 => new UnauthorizedAccessException(path),              // EACCES, EPERM
                21 => new UnauthorizedAccessException(path),                   // EISDIR
                _ => new IOException($"cannot open ({Marshal.GetPInvokeErrorMessage(errno)})"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
