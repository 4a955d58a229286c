namespace Clearinghouse.Cli.FileHashing;

/// <summary>The vPDQ part of <see cref="FileHashResult"/> (kept apart so other signal types can be added beside it).</summary>
internal sealed partial record FileHashResult
{
    /// <summary>The video hash, when vPDQ was asked for and the file was hashed as a video.</summary>
    public VpdqOutcome? Vpdq { get; init; }
}
