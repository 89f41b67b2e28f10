namespace Serve.Grains;

/// <summary>One application's status at a version of the controller's snapshot: what a caller waiting for that application needs.</summary>
[GenerateSerializer, Immutable, Alias("serve.application-snapshot")]
internal sealed record ApplicationSnapshot
{
    /// <summary>The version of the controller's snapshot this status was read from.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>The application's status; null once it does not exist.</summary>
    [Id(1)] public ApplicationStatus? Status { get; init; }
}
