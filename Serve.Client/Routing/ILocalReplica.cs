using Serve.Grains;
using Serve.Http;

namespace Serve.Routing;

/// <summary>
/// A replica running in the router's own silo, called without an Orleans message: the same two calls as
/// <see cref="IReplicaGrain"/>, with the same answers (a refusal, a fault or a timeout as a <see cref="ReplicaResponse"/>).
/// </summary>
internal interface ILocalReplica
{
    /// <inheritdoc cref="IReplicaGrain.InvokeAsync"/>
    ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <inheritdoc cref="IReplicaGrain.HttpAsync"/>
    ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken);
}
