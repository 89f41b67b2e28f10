using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Grains;
using Serve.Hosting;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// A silo that is asked to stop (SIGTERM, Ctrl+C, a rolling restart) first drains its replicas: each deployment with
/// replicas here starts their replacements on other silos, where there are any, and then stops these; a stopping replica
/// takes no new request, lets those in flight finish up to the graceful timeout and disposes its instance. Only then,
/// or after <see cref="ServeOptions.DrainTimeout"/>, does the silo go on stopping. It runs first among the silo's stop
/// steps, while the silo is still a full member of the cluster.
/// </summary>
internal sealed partial class SiloDrain : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly IGrainFactory _grains;
    private readonly SiloResourceLedger _ledger;
    private readonly string _silo;
    private readonly TimeProvider _time;
    private readonly ServeOptions _options;
    private readonly ILogger<SiloDrain> _logger;

    public SiloDrain(IGrainFactory grains, SiloResourceLedger ledger, ILocalSiloDetails silo, TimeProvider time, IOptions<ServeOptions> options, ILogger<SiloDrain> logger)
    {
        _grains = grains;
        _ledger = ledger;
        _silo = silo.SiloAddress.ToString();
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloDrain), ServiceLifecycleStage.Active, _ => Task.CompletedTask, DrainAsync);

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var placed = _ledger.Snapshot();
        if (placed.Length == 0 || _options.DrainTimeout <= TimeSpan.Zero)
        {
            return;
        }
        var deployments = placed.Select(p => p.Deployment).Distinct().ToList();
        LogDraining(_logger, _silo, placed.Length, deployments.Count);
        var started = _time.GetTimestamp();
        await Task.WhenAll(deployments.Select(async deployment =>
        {
            try
            {
                await _grains.GetGrain<IDeploymentGrain>(deployment).DrainSiloAsync(_silo).WaitAsync(AskTimeout, _time, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Its replicas here are then stopped by the silo's shutdown, without replacements started first.
                LogAskFailed(_logger, e, deployment);
            }
        }));
        try
        {
            await _ledger.WhenEmpty().WaitAsync(_options.DrainTimeout - _time.GetElapsedTime(started), _time, cancellationToken);
            LogDrained(_logger, _silo, _time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is TimeoutException or ArgumentOutOfRangeException or OperationCanceledException)
        {
            LogDrainTimedOut(_logger, _silo, _ledger.Snapshot().Length, _options.DrainTimeout);
        }
    }

    [LoggerMessage(EventId = ServeEvents.SiloDraining, Level = LogLevel.Information, Message = "Silo {Silo} is stopping: draining its {Replicas} replica(s) of {Deployments} deployment(s), replaced elsewhere first")]
    private static partial void LogDraining(ILogger logger, string silo, int replicas, int deployments);

    [LoggerMessage(EventId = ServeEvents.SiloDraining, Level = LogLevel.Information, Message = "Silo {Silo} drained its replicas in {Elapsed}")]
    private static partial void LogDrained(ILogger logger, string silo, TimeSpan elapsed);

    [LoggerMessage(EventId = ServeEvents.SiloDrainTimedOut, Level = LogLevel.Warning, Message = "Deployment {Deployment} could not be asked to drain this silo; its replicas here stop with the silo")]
    private static partial void LogAskFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.SiloDrainTimedOut, Level = LogLevel.Warning, Message = "Silo {Silo} still had {Replicas} replica(s) after the drain timeout of {Timeout}; they stop with the silo")]
    private static partial void LogDrainTimedOut(ILogger logger, string silo, int replicas, TimeSpan timeout);
}
