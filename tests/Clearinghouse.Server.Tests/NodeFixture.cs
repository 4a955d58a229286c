namespace Clearinghouse.Server.Tests;

/// <summary>One node shared by the tests of a class (each test uses its own banks).</summary>
public class NodeFixture : IAsyncLifetime
{
    public NodeHarness Node { get; private set; } = null!;

    protected virtual NodeOptions Configure(NodeOptions options) => options;

    public async Task InitializeAsync() => Node = await NodeHarness.StartAsync(Configure);

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>A shared node whose HMA bank creation defaults to a category, as an unchanged HMA client needs.</summary>
public sealed class HmaNodeFixture : NodeFixture
{
    protected override NodeOptions Configure(NodeOptions options) => options with { HmaDefaultCategory = "attack-footage" };
}
