namespace Serve;

/// <summary>The state of every application, as <c>serve status</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("serve.status")]
public sealed record ServeStatus
{
    /// <summary>Applications by name.</summary>
    [Id(0)] public IReadOnlyDictionary<string, ApplicationStatus> Applications { get; init; } = new Dictionary<string, ApplicationStatus>();
}
