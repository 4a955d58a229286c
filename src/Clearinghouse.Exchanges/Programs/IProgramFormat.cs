namespace Clearinghouse.Exchanges.Programs;

/// <summary>A program's published format: one API page, or a whole export file read as a sequence of pages.</summary>
public interface IProgramFormat
{
    ExchangeProgram Program { get; }

    /// <summary>Parses one API answer. Throws <see cref="ExchangeFormatException"/> (with where) when it is not in
    /// the program's format at all; records that are individually corrupt are reported in the page's problems.</summary>
    ProgramPage ParsePage(ReadOnlyMemory<byte> body, string source);

    /// <summary>Reads an export file as pages of at most <paramref name="pageSize"/> records, the last with
    /// <see cref="ProgramPage.More"/> false. Streams: memory stays bounded by a page, not the file.</summary>
    IAsyncEnumerable<ProgramPage> ReadFileAsync(Stream stream, string source, int pageSize, CancellationToken cancellationToken = default);
}

/// <summary>One record is corrupt: it is skipped and reported, the rest of its page is applied.</summary>
public sealed class RecordFormatException : Exception
{
    public RecordFormatException()
    {
    }

    public RecordFormatException(string message)
        : base(message)
    {
    }

    public RecordFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The record's key when it could be read.</summary>
    public string? Key { get; init; }
}

/// <summary>The format of each program.</summary>
public static class ProgramFormats
{
    public static IProgramFormat For(ExchangeProgram program) => program switch
    {
        ExchangeProgram.LocalFile => new LocalFileFormat(),
        ExchangeProgram.Hma => new HmaContentFormat(),
        ExchangeProgram.ThreatExchange => new ThreatUpdatesFormat(),
        ExchangeProgram.Ncmec => new NcmecFormat(),
        ExchangeProgram.StopNcii => new StopNciiFormat(),
        _ => new TcapFormat(),
    };
}
