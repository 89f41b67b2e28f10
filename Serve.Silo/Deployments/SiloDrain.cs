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
/// steps, while the silo is still a full member of the cluster: membership shows it active until the drain ends, so the
/// silo's ledger says it is stopping instead, refusing new replicas and telling every deployment that reads it.
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
        // Before anything else: no deployment may start a replica here from now on, not even one that has not heard of
        // this drain (a deployment grain activated afresh, its former silo stopping too, reads the ledgers and learns it).
        _ledger.BeginStopping();
        var held = _ledger.Replicas();
        if (held.Length == 0 || _options.DrainTimeout <= TimeSpan.Zero)
        {
            return;
        }
        var deployments = held.GroupBy(h => h.Value.Deployment, h => h.Key).ToList();
        LogDraining(_logger, _silo, held.Length, deployments.Count);
        var started = _time.GetTimestamp();
        var orphans = await Task.WhenAll(deployments.Select(async replicas =>
        {
            try
            {
                var known = await _grains.GetGrain<IDeploymentGrain>(replicas.Key).DrainSiloAsync(_silo).WaitAsync(AskTimeout, _time, cancellationToken);
                return known > 0 ? [] : replicas.ToArray();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogAskFailed(_logger, e, replicas.Key);
                return replicas.ToArray();
            }
        }));
        // Replicas no deployment claims here (its record was lost, or it could not be asked) are drained directly.
        foreach (var replica in orphans.SelectMany(r => r))
        {
            _ = _grains.GetGrain<IReplicaGrain>(replica).StopAsync(DeploymentOptions.DefaultGracefulShutdownTimeout, cancellationToken);
        }
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

    [LoggerMessage(EventId = ServeEvents.SiloDrainTimedOut, Level = LogLevel.Warning, Message = "Deployment {Deployment} could not be asked to drain this silo; its replicas here are stopped without replacements")]
    private static partial void LogAskFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.SiloDrainTimedOut, Level = LogLevel.Warning, Message = "Silo {Silo} still had {Replicas} replica(s) after the drain timeout of {Timeout}; they stop with the silo")]
    private static partial void LogDrainTimedOut(ILogger logger, string silo, int replicas, TimeSpan timeout);
}
