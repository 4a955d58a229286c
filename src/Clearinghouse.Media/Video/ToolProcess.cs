using System.ComponentModel;
using System.Diagnostics;

namespace Clearinghouse.Media.Video;

/// <summary>
/// One run of ffmpeg or ffprobe: arguments passed as a list (no shell), stdout for the caller, stderr drained
/// concurrently into a bounded log (so neither pipe can fill and deadlock the child), and the whole process tree
/// killed on timeout or disposal.
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly Thread _stderrPump;
    private readonly CancellationTokenRegistration _timeoutRegistration;
    private int _killed;

    private ToolProcess(Process process, StderrLog log, CancellationToken deadline)
    {
        _process = process;
        Errors = log;
        // A thread of its own, not the pool's: callers block on stdout from pool threads (the CLI hashes files in
        // parallel), and a starved pool must never leave FFmpeg stuck on a full stderr pipe.
        _stderrPump = new Thread(() => Pump(process.StandardError, log)) { IsBackground = true, Name = "ffmpeg stderr" };
        _stderrPump.Start();
        _timeoutRegistration = deadline.Register(() =>
        {
            TimedOut = true;
            Kill();
        });
    }

    /// <summary>What the tool wrote on stderr (bounded).</summary>
    public StderrLog Errors { get; }

    /// <summary>The tool's stdout, raw bytes.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>Whether the deadline passed and the process was killed for it.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Starts <paramref name="executable"/>; a missing binary is a <see cref="VideoDecodeFailure.FfmpegMissing"/> error.</summary>
    /// <param name="watched">Texts whose first occurrence on stderr is remembered, however long stderr gets.</param>
    public static ToolProcess Start(string executable, IEnumerable<string> arguments, CancellationToken deadline, params string[] watched)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"could not start {executable}");
        }
        catch (Win32Exception ex)
        {
            string why = ex.NativeErrorCode switch
            {
                2 => "no such program",
                13 => "permission denied",
                _ => ex.Message,
            };
            throw new VideoDecodeException(
                VideoDecodeFailure.FfmpegMissing,
                $"cannot run '{executable}' ({why}): video hashing needs FFmpeg — install it with 'apt-get install ffmpeg', or give its path with --ffmpeg",
                ex);
        }

        return new ToolProcess(process, new StderrLog(watched), deadline);
    }

    /// <summary>Waits for the process to end (after its stdout was read to the end) and returns its exit code.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        _stderrPump.Join();
        return _process.ExitCode;
    }

    public void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) != 0)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exited between the check and the signal.
        }
    }

    public void Dispose()
    {
        _timeoutRegistration.Dispose();
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.WaitForExit();
        _stderrPump.Join();
        _process.Dispose();
    }

    /// <summary>Reads stderr to its end in chunks; a line is kept up to <see cref="StderrLog.MaxLineLength"/> characters, so no output can grow memory.</summary>
    private static void Pump(StreamReader stderr, StderrLog log)
    {
        var chunk = new char[4096];
        var line = new System.Text.StringBuilder();
        int n;
        while ((n = stderr.Read(chunk, 0, chunk.Length)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                char c = chunk[i];
                if (c is '\n' or '\r')
                {
                    if (line.Length > 0)
                    {
                        log.Add(line.ToString());
                        line.Clear();
                    }
                }
                else if (line.Length <= StderrLog.MaxLineLength)
                {
                    line.Append(c);
                }
            }
        }

        if (line.Length > 0)
        {
            log.Add(line.ToString());
        }
    }
}

/// <summary>
/// The first lines a tool wrote on stderr (each cut to a sane length), how many there were in all, and the first
/// line containing each watched text.
/// </summary>
internal sealed class StderrLog(string[] watched)
{
    private const int MaxLines = 32;
    public const int MaxLineLength = 400;

    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly string?[] _firstMatch = new string?[watched.Length];
    private int _count;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Add(string line)
    {
        lock (_lock)
        {
            _count++;
            string kept = line.Length > MaxLineLength ? line[..MaxLineLength] + "…" : line;
            if (_lines.Count < MaxLines)
            {
                _lines.Add(kept);
            }

            for (int i = 0; i < watched.Length; i++)
            {
                if (_firstMatch[i] is null && line.Contains(watched[i], StringComparison.Ordinal))
                {
                    _firstMatch[i] = kept;
                }
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The first line that contained watched text number <paramref name="watchedIndex"/>, or null.</summary>
    public string? FirstMatch(int watchedIndex)
    {
        lock (_lock)
        {
            return _firstMatch[watchedIndex];
        }
    }

    /// <summary>A one-line summary for error messages: the first line or two, without ffmpeg's "[demuxer @ 0x…] " prefixes.</summary>
    public string Summary() => Summarise(Lines);

    /// <summary>One line without ffmpeg's "[demuxer @ 0x…] " prefix.</summary>
    public static string Clean(string line) => StripContext(line);

    private static string Summarise(IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return "no message from ffmpeg";
        }

        var distinct = lines.Select(StripContext).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).Take(2);
        return string.Join("; ", distinct);
    }

    private static string StripContext(string line)
    {
        string trimmed = line.Trim();
        if (trimmed.StartsWith('[') && trimmed.IndexOf("] ", StringComparison.Ordinal) is int end and > 0)
        {
            trimmed = trimmed[(end + 2)..];
        }

        return trimmed;
    }
}
