using Clearinghouse.Server;
using Clearinghouse.Server.Tests;
using Clearinghouse.Server.Ui;
using Clearinghouse.Storage;
using Microsoft.Playwright;

namespace Clearinghouse.Ui.Tests;

/// <summary>
/// A real node (SQLite, loopback port) with members A, B, C and the operator (see NodeHarness), reviewers of A, and
/// banks: one of A with signals, one of B shared with all, one private to B that A must never see.
/// </summary>
public class UiNode : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    public NodeHarness Node { get; private set; } = null!;

    public IReviewerStore Reviewers => (IReviewerStore)Node.Store;

    public Uri BaseAddress => Node.BaseAddress;

    public Bank BankOfA { get; private set; } = null!;

    public Bank SharedBankOfB { get; private set; } = null!;

    public Bank PrivateBankOfB { get; private set; } = null!;

    protected virtual NodeOptions Configure(NodeOptions options) => options;

    public async Task InitializeAsync()
    {
        Node = await NodeHarness.StartAsync(Configure);
        BankOfA = await Node.Store.CreateBankAsync(new NewBank("A_FOOTAGE", "attack-footage", Node.A.Id, SharingScope.AllMembers, Description: "Perpetrator footage hashed by A"));
        SharedBankOfB = await Node.Store.CreateBankAsync(new NewBank("B_MANIFESTOS", "attacker-manifesto", Node.B.Id, SharingScope.AllMembers));
        PrivateBankOfB = await Node.Store.CreateBankAsync(new NewBank("B_PRIVATE", "attack-footage", Node.B.Id, SharingScope.Private));
        await Node.Store.AddSignalsAsync(BankOfA.Id, Node.A.Id, [new NewSignal("pdq", new string('a', 63) + "1"), new NewSignal("md5", new string('0', 31) + "f")]);
    }

    /// <summary>A new reviewer of member A with <see cref="Password"/>.</summary>
    public Task<Reviewer> ReviewerAsync(string username) =>
        ReviewerAccounts.CreateAsync(Reviewers, Node.A.Id, username, Password, ApiScopes.Review, CancellationToken.None);

    /// <summary>Fills and sends the sign-in form on <paramref name="page"/> (which must show it).</summary>
    public static async Task SubmitSignInAsync(IPage page, string organisation, string username, string password)
    {
        await page.GetByLabel("Organisation").FillAsync(organisation);
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Opens the sign-in page and signs in as member A's <paramref name="username"/>.</summary>
    public async Task SignInAsync(IPage page, string username, string password = Password)
    {
        await page.GotoAsync("/ui/signin");
        await SubmitSignInAsync(page, Node.A.Name, username, password);
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}
