namespace Clearinghouse.Ledger.Merkle;

/// <summary>Why a proof did not verify.</summary>
public enum ProofFailure
{
    /// <summary>The proof verified.</summary>
    None,

    /// <summary>A size or index is negative.</summary>
    NegativeArgument,

    /// <summary>Inclusion: the leaf index is not below the tree size.</summary>
    IndexOutOfRange,

    /// <summary>Consistency: the first size exceeds the second.</summary>
    SizesOutOfOrder,

    /// <summary>The proof has more hashes than the tree shape allows (RFC 9162: sn reached 0 early).</summary>
    ProofTooLong,

    /// <summary>The proof has fewer hashes than the tree shape needs (RFC 9162: sn not 0 at the end).</summary>
    ProofTooShort,

    /// <summary>Consistency between different sizes with no proof hashes at all.</summary>
    EmptyProof,

    /// <summary>Consistency from an empty tree or between equal sizes must carry no proof hashes.</summary>
    ProofNotEmpty,

    /// <summary>Inclusion: the recomputed root is not the given root.</summary>
    RootMismatch,

    /// <summary>Consistency: the proof does not reproduce the first (older) root.</summary>
    FirstRootMismatch,

    /// <summary>Consistency: the proof does not reproduce the second (newer) root.</summary>
    SecondRootMismatch,
}

/// <summary>The outcome of checking a proof: valid, or the reason with a sentence that names the values.</summary>
public readonly record struct ProofCheck(ProofFailure Failure, string Message)
{
    public static ProofCheck Valid { get; } = new(ProofFailure.None, "the proof verifies");

    public bool IsValid => Failure == ProofFailure.None;

    /// <summary>Throws <see cref="ProofVerificationException"/> unless valid.</summary>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new ProofVerificationException(Failure, Message);
        }
    }

    internal static ProofCheck Fail(ProofFailure failure, string message) => new(failure, message);
}

/// <summary>A proof did not verify; <see cref="Failure"/> says why.</summary>
public sealed class ProofVerificationException : Exception
{
    public ProofVerificationException(ProofFailure failure, string message)
        : base(message) => Failure = failure;

    public ProofVerificationException()
    {
    }

    public ProofVerificationException(string message)
        : base(message)
    {
    }

    public ProofVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProofFailure Failure { get; }
}
