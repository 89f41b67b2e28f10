namespace Serve.Grains;

/// <summary>What a replica says of itself once its instance is built.</summary>
/// <param name="Silo">The address of the silo it runs on.</param>
[GenerateSerializer, Immutable, Alias("serve.replica-started")]
internal sealed record ReplicaStarted([property: Id(0)] string Silo)
{
    /// <summary>
    /// The paths (<c>/package.Service/Method</c>) of its gRPC methods whose client sends a stream (client streaming and
    /// bidirectional), sorted; empty for a replica that serves no gRPC. The gateway starts their calls at once.
    /// </summary>
    [Id(1)] public IReadOnlyList<string> GrpcClientStreaming { get; init; } = [];

    /// <summary>
    /// Where its silo's data plane listens (<c>address:port</c>): routers of other silos send its HTTP exchanges there
    /// rather than as Orleans messages. Null when that silo has none (off, or a build from before it).
    /// </summary>
    [Id(2)] public string? Exchange { get; init; }

    /// <summary>
    /// The build (module version id) of the deployment's assembly that its silo loaded: another than the spec's when new
    /// code reached that silo and not the process that applied the deployment. Null from a silo of an earlier release.
    /// </summary>
    [Id(3)] public string? Build { get; init; }

    public bool Equals(ReplicaStarted? other) => other is not null && Silo == other.Silo && Exchange == other.Exchange && Build == other.Build && GrpcClientStreaming.SequenceEqual(other.GrpcClientStreaming);

    public override int GetHashCode() => Silo.GetHashCode(StringComparison.Ordinal);
}
