namespace Serve.Tests.Configuration;

/// <summary>The args of <see cref="ConfigApps.Rollout"/>: which version to ship, and whether it is broken.</summary>
public sealed record RolloutArgs
{
    public required string Version { get; init; }

    public bool Broken { get; init; }
}
