namespace Serve.Tests.Infrastructure;

/// <summary>
/// Tests that sample the process's live heap (<see cref="GC.GetTotalMemory(bool)"/>): not in parallel with other
/// collections, whose own objects, in the same process, would count as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasuringCollection
{
    public const string Name = "heap measuring";
}
