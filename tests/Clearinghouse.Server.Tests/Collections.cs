namespace Clearinghouse.Server.Tests;

/// <summary>
/// Tests that read process-wide state: a meter is found by name in the whole process, so metric values are exact
/// only while no other node runs alongside. This collection runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Serial";
}
