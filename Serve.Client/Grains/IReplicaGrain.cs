namespace Serve.Grains;

/// <summary>One replica: an activation hosting one instance of the user's class. Key: <c>app/deployment/version/n</c>.</summary>
[Alias("serve.replica")]
internal interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>Runs a method, or rejects at once when at capacity, stopping, or never started.</summary>
    [Alias("invoke")]
    ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a streaming method. The first item is a <see cref="ReplicaResponse"/> saying whether the
    /// call was accepted; then the method's items; a fault ends the stream with a faulted response.
    /// </summary>
    [Alias("stream")]
    IAsyncEnumerable<object?> StreamAsync(ReplicaRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one HTTP exchange on an ingress replica, or rejects it at once as <see cref="InvokeAsync"/> does. A response
    /// the handler writes at once comes back whole as the result (in <see cref="ReplicaResponse.Http"/>); one
    /// it streams goes to the call's channel as it is written, and the result, at its end, carries its trailers. The
    /// call lasts the whole exchange, so Orleans' response timeout is lifted: the request's deadline, its cancellation
    /// and the loss of the replica's silo bound it instead. (20 days: Orleans sends a message's time to live as 32-bit
    /// milliseconds, so a longer timeout would wrap and the message arrive expired.)
    /// </summary>
    [Alias("http"), ResponseTimeout("20.00:00:00")]
    ValueTask<ReplicaResponse> HttpAsync(Http.HttpCall call, CancellationToken cancellationToken);

    /// <summary>
    /// Constructs and initialises the user's instance; returns the hosting silo's address and what routers must know of it.
    /// The replica bounds it by the deployment's <c>InitializationTimeout</c> (minutes, for a model that loads) and
    /// <c>HealthCheckTimeout</c>, and its caller by those and a grace, so Orleans' response timeout is lifted as for
    /// <see cref="HttpAsync"/>.
    /// </summary>
    [Alias("start"), ResponseTimeout("20.00:00:00")]
    Task<ReplicaStarted> StartAsync(DeploymentSpec spec, CancellationToken cancellationToken);

    /// <summary>Applies lightweight option changes (user config, limits) to the running instance.</summary>
    [Alias("reconfigure")]
    Task ReconfigureAsync(DeploymentSpec spec, CancellationToken cancellationToken);

    /// <summary>Runs the user's health check; throws when unhealthy.</summary>
    [Alias("check-health")]
    Task CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Calls off a start under way (its deployment was deleted, scaled down or replaced meanwhile): the initialization's
    /// token fires, and <see cref="StartAsync"/> ends with an <see cref="OperationCanceledException"/> once the instance
    /// is disposed and its room given back. Nothing once the replica has started (it is stopped as any other).
    /// </summary>
    [Alias("cancel-start")]
    Task CancelStartAsync();

    /// <summary>Stops taking calls, lets in-flight ones finish up to the timeout, disposes the instance and deactivates.</summary>
    [Alias("stop")]
    Task StopAsync(TimeSpan gracefulTimeout, CancellationToken cancellationToken);
}
