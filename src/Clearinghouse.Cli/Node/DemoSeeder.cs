using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Media.Images;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Node;

/// <summary>What <c>serve --demo</c> seeded.</summary>
internal sealed record DemoSeed(string Bank, int Images, int Signals, int Added);

/// <summary>
/// <c>serve --demo</c>: a bank a newcomer can match against straight away, owned by a <see cref="DemoMemberName"/>
/// member, shared with all members, holding the PDQ hashes of the sample images. Idempotent: a second run adds
/// nothing.
/// </summary>
internal static class DemoSeeder
{
    public const string DemoMemberName = "demo";
    public const string BankName = "demo-attack-footage";
    public const string Category = "attack-footage";

    /// <summary>The sample images, relative to the working directory (the repository root, as the README runs it).</summary>
    public const string DefaultImages = "../shared/testdata/pdq/images";

    public static async Task<DemoSeed> SeedAsync(IClearinghouseStore store, string imagesDirectory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(imagesDirectory))
        {
            throw new CommandFailedException(
                ExitCodes.BadInput,
                $"--demo: no sample images at {Path.GetFullPath(imagesDirectory)} (the PDQ reference images of ../shared/testdata beside the repository); give their folder with --demo-data");
        }

        var values = HashImages(imagesDirectory, out int images);
        if (values.Count == 0)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"--demo: no usable image (PDQ quality >= {PdqHash.MinimumUsefulQuality}) under {Path.GetFullPath(imagesDirectory)}");
        }

        var member = await store.FindMemberAsync(DemoMemberName, cancellationToken).ConfigureAwait(false)
            ?? await store.CreateMemberAsync(DemoMemberName, cancellationToken).ConfigureAwait(false);
        var bank = await store.FindBankAsync(BankName, cancellationToken).ConfigureAwait(false)
            ?? await store.CreateBankAsync(
                new NewBank(BankName, Category, member.Id, SharingScope.AllMembers, Description: "Demo: PDQ hashes of the PDQ reference sample images (serve --demo)"),
                cancellationToken).ConfigureAwait(false);
        var results = await store.AddSignalsAsync(bank.Id, member.Id, [.. values.Select(v => new NewSignal("pdq", v))], cancellationToken).ConfigureAwait(false);
        return new DemoSeed(bank.Name, images, values.Count, results.Count(r => r.Added));
    }

    /// <summary>The distinct usable PDQ hashes of the images under <paramref name="directory"/>, in path order.</summary>
    private static List<string> HashImages(string directory, out int images)
    {
        var hasher = new FileHasher(new HashSelection(Pdq: true, Md5: false, Sha256: false), new ImageDecodeOptions(), dihedral: false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new List<string>();
        images = 0;
        foreach (var item in InputWalker.Walk([directory]))
        {
            if (!item.IsFile || hasher.Hash(item.Path) is not { Pdq: { } pdq })
            {
                continue;
            }

            images++;
            string value = pdq.Hash.ToString();
            if (pdq.Quality >= PdqHash.MinimumUsefulQuality && seen.Add(value))
            {
                values.Add(value);
            }
        }

        return values;
    }
}
