namespace Serve.Tests.Deployments;

/// <summary>
/// A default replica that calls itself back from inside its synchronous part (A → B → A, or A → A) and records whether the
/// call back ran while that part was running: it must wait for the part to end, not nest inside it on the same thread.
/// </summary>
[Deployment(MaxOngoingRequests = 16)]
public sealed class NestProbe(DeploymentHandle<INestRelay> relay, string application, IServeClient serve) : INestProbe
{
    /// <summary>The probe whose synchronous part of a round trip runs on this thread, lower on its stack.</summary>
    [ThreadStatic]
    private static NestProbe? _runningHere;

    private DeploymentHandle<INestProbe>? _self;
    private int _inSynchronousPart;

    /// <summary>Whether a probe's round trip is in its synchronous part on this thread (a callee running inline under it).</summary>
    public static bool InsideARoundTrip => _runningHere is not null;

    public async Task<string> RoundTripAsync(bool viaRelay, CancellationToken cancellationToken = default)
    {
        _self ??= serve.GetDeploymentHandle<INestProbe>(nameof(NestProbe), application);
        Task<string> back;
        Interlocked.Increment(ref _inSynchronousPart);
        _runningHere = this;
        try
        {
            back = viaRelay ? relay.Remote.BackAsync(cancellationToken) : _self.Remote.EchoAsync(cancellationToken);
        }
        finally
        {
            _runningHere = null;
            Interlocked.Decrement(ref _inSynchronousPart);
        }
        return await back;
    }

    public Task<string> EchoAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Volatile.Read(ref _inSynchronousPart) != 0 || ReferenceEquals(_runningHere, this) ? "overlap" : "after");
}
