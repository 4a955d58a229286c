namespace Clearinghouse.Ledger.Merkle;

/// <summary>
/// Verification of inclusion and consistency proofs with the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, step
/// for step, so that any RFC 6962 log's proofs check here and ours check anywhere.
/// </summary>
public static class MerkleProof
{
    /// <summary>
    /// RFC 9162 §2.1.3.2: whether <paramref name="proof"/> proves that the leaf with hash <paramref name="leafHash"/>
    /// is at <paramref name="index"/> in the tree of <paramref name="size"/> leaves with root <paramref name="root"/>.
    /// </summary>
    public static ProofCheck VerifyInclusion(long index, long size, in MerkleHash leafHash, ReadOnlySpan<MerkleHash> proof, in MerkleHash root)
    {
        if (index < 0 || size < 0)
        {
            return ProofCheck.Fail(ProofFailure.NegativeArgument, $"index {index} and size {size} must not be negative");
        }

        // Step 1.
        if (index >= size)
        {
            return ProofCheck.Fail(ProofFailure.IndexOutOfRange, $"leaf index {index} is not inside a tree of size {size}");
        }

        // Steps 2-3.
        long fn = index;
        long sn = size - 1;
        MerkleHash r = leafHash;

        // Step 4.
        for (int i = 0; i < proof.Length; i++)
        {
            if (sn == 0)
            {
                return ProofCheck.Fail(ProofFailure.ProofTooLong,
                    $"the inclusion proof for leaf {index} in a tree of size {size} has {proof.Length} hashes; the path has only {i}");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = Rfc6962.HashChildren(proof[i], r);

                // "If LSB(fn) is not set, right-shift both until LSB(fn) is set or fn is 0."
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = Rfc6962.HashChildren(r, proof[i]);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        if (sn != 0)
        {
            return ProofCheck.Fail(ProofFailure.ProofTooShort,
                $"the inclusion proof for leaf {index} in a tree of size {size} has {proof.Length} hashes, fewer than its path needs");
        }

        return r == root
            ? ProofCheck.Valid
            : ProofCheck.Fail(ProofFailure.RootMismatch,
                $"the inclusion proof for leaf {index} in a tree of size {size} leads to root {r.ToBase64()}, not {root.ToBase64()}");
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: whether <paramref name="proof"/> proves that the tree of <paramref name="size1"/> leaves
    /// with root <paramref name="root1"/> is a prefix of the tree of <paramref name="size2"/> leaves with root
    /// <paramref name="root2"/>. Equal sizes need equal roots and no proof; growth from the empty tree needs no proof.
    /// </summary>
    public static ProofCheck VerifyConsistency(long size1, long size2, in MerkleHash root1, in MerkleHash root2, ReadOnlySpan<MerkleHash> proof)
    {
        if (size1 < 0 || size2 < 0)
        {
            return ProofCheck.Fail(ProofFailure.NegativeArgument, $"sizes {size1} and {size2} must not be negative");
        }

        if (size1 > size2)
        {
            return ProofCheck.Fail(ProofFailure.SizesOutOfOrder, $"a tree of size {size1} cannot be a prefix of the smaller tree of size {size2}");
        }

        if (size1 == size2)
        {
            if (!proof.IsEmpty)
            {
                return ProofCheck.Fail(ProofFailure.ProofNotEmpty, $"a consistency proof between equal sizes ({size1}) must be empty, not {proof.Length} hashes");
            }

            return root1 == root2
                ? ProofCheck.Valid
                : ProofCheck.Fail(ProofFailure.SecondRootMismatch, $"two different roots for the same size {size1}: {root1.ToBase64()} and {root2.ToBase64()}");
        }

        if (size1 == 0)
        {
            // Every tree extends the empty tree; RFC 9162 defines no proof for it.
            return proof.IsEmpty
                ? ProofCheck.Valid
                : ProofCheck.Fail(ProofFailure.ProofNotEmpty, $"a consistency proof from the empty tree must be empty, not {proof.Length} hashes");
        }

        // Step 1.
        if (proof.IsEmpty)
        {
            return ProofCheck.Fail(ProofFailure.EmptyProof, $"a consistency proof from size {size1} to {size2} needs at least one hash");
        }

        // Step 2: a power-of-two first tree is itself a node of the second; its hash opens the path (and is
        // prepended to it, which here means: start from it and read every proof hash as a "subsequent value").
        bool prependFirst = (size1 & (size1 - 1)) == 0;

        // Steps 3-4.
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // Step 5.
        MerkleHash fr = prependFirst ? root1 : proof[0];
        MerkleHash sr = fr;

        // Step 6.
        for (int i = prependFirst ? 0 : 1; i < proof.Length; i++)
        {
            if (sn == 0)
            {
                return ProofCheck.Fail(ProofFailure.ProofTooLong,
                    $"the consistency proof from size {size1} to {size2} has {proof.Length} hashes, more than the trees' shapes allow");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = Rfc6962.HashChildren(proof[i], fr);
                sr = Rfc6962.HashChildren(proof[i], sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = Rfc6962.HashChildren(sr, proof[i]);
            }

            fn >>= 1;
            sn >>= 1;
        }

        // Step 7.
        if (sn != 0)
        {
            return ProofCheck.Fail(ProofFailure.ProofTooShort,
                $"the consistency proof from size {size1} to {size2} has {proof.Length} hashes, fewer than the trees' shapes need");
        }

        if (fr != root1)
        {
            return ProofCheck.Fail(ProofFailure.FirstRootMismatch,
                $"the consistency proof from size {size1} to {size2} reproduces old root {fr.ToBase64()}, not {root1.ToBase64()}");
        }

        return sr == root2
            ? ProofCheck.Valid
            : ProofCheck.Fail(ProofFailure.SecondRootMismatch,
                $"the consistency proof from size {size1} to {size2} reproduces new root {sr.ToBase64()}, not {root2.ToBase64()}");
    }
}
