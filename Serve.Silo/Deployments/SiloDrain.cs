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
        var answers = await Task.WhenAll(deployments.Select(async replicas =>
        {
            try
            {
                var answer = await AskAsync(replicas.Key, cancellationToken);
                return (Deployment: replicas.Key, Answer: answer, Orphans: answer.Replicas > 0 ? [] : replicas.ToArray());
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogAskFailed(_logger, e, replicas.Key);
                return (Deployment: replicas.Key, Answer: (SiloDrainAnswer?)null, Orphans: replicas.ToArray());
            }
        }));
        var orphans = answers.Select(a => a.Orphans);
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
        await ReportShrinksAsync(answers.Where(a => a.Answer is not null).Select(a => a.Deployment), cancellationToken);
    }

    /// <summary>
    /// A planned stop that leaves deployments short is one warning for all of them, not one from each (their own lines and
    /// status messages say the details, at Information); a whole cluster stopping is no news. Asked once the replicas are
    /// drained, not from the first answers: a deployment may learn only from a refused start that the room it counted on
    /// elsewhere was taken. Asking again changes nothing: the deployment drains this silo already.
    /// </summary>
    private async Task ReportShrinksAsync(IEnumerable<string> deployments, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(deployments.Select(async deployment =>
        {
            try
            {
                return (Deployment: deployment, Answer: await AskAsync(deployment, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (Deployment: deployment, Answer: (SiloDrainAnswer?)null);
            }
        }));
        var shrinking = answers.Where(a => a.Answer is { Unplaced: > 0, ClusterStopping: false }).OrderBy(a => a.Deployment, StringComparer.Ordinal).ToList();
        if (shrinking.Count > 0)
        {
            LogShrinks(_logger, _silo, shrinking.Sum(a => a.Answer!.Unplaced), shrinking.Count,
                string.Join(", ", shrinking.Select(a => $"{a.Deployment} ({a.Answer!.TargetReplicas - a.Answer.Unplaced}/{a.Answer.TargetReplicas})")),
                shrinking[0].Answer!.Reason);
        }
    }

    [LoggerMessage(EventId = ServeEvents.SiloDraining, Level = LogLevel.Information, Message = "Silo {Silo} is stopping: draining its {Replicas} replica(s) of {Deployments} deployment(s), replaced elsewhere first")]
    private static partial void LogDraining(ILogger logger, string silo, int replicas, int deployments);

    /// <summary>
    /// Asks <paramref name="deployment"/> to drain this silo. A deployment grain of an earlier release (a rolling upgrade)
    /// does not know the answering form: it is asked the older way, which says only how many replicas it has here.
    /// </summary>
    private async Task<SiloDrainAnswer> AskAsync(string deployment, CancellationToken cancellationToken)
    {
        var grain = _grains.GetGrain<IDeploymentGrain>(deployment);
        try
        {
            return await grain.DrainSiloWithAnswerAsync(_silo).WaitAsync(AskTimeout, _time, cancellationToken);
        }
        catch (Exception e) when (e is not (TimeoutException or OperationCanceledException))
        {
            LogAskedTheOlderWay(_logger, deployment, e.Message);
            return new SiloDrainAnswer { Replicas = await grain.DrainSiloAsync(_silo).WaitAsync(AskTimeout, _time, cancellationToken) };
        }
    }

    [LoggerMessage(EventId = ServeEvents.SiloDrainShrinks, Level = LogLevel.Warning,
        Message = "Silo {Silo} is stopping and {Replicas} replica(s) of {Count} deployment(s) fit on no other silo ({Reason}): they stop with it, and these deployments are UNHEALTHY, serving with fewer (running/target), until a silo with room joins: {Deployments}")]
    private static partial void LogShrinks(ILogger logger, string silo, int replicas, int count, string deployments, string reason);

    [LoggerMessage(EventId = ServeEvents.SiloDraining, Level = LogLevel.Debug, Message = "Deployment {Deployment} did not take the drain's answering form ({Error}); asked the older way")]
    private static partial void LogAskedTheOlderWay(ILogger logger, string deployment, string error);

    [LoggerMessage(EventId = ServeEvents.SiloDraining, Level = LogLevel.Information, Message = "Silo {Silo} drained its replicas in {Elapsed}")]
    private static partial void LogDrained(ILogger logger, string silo, TimeSpan elapsed);

    [LoggerMessage(EventId = ServeEvents.SiloDrainTimedOut, Level = LogLevel.Warning, Message = "Deployment {Deployment} could not be asked to drain this silo; its replicas here are stopped without replacements")]
    private static partial void LogAskFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.SiloDrainTimedOut, Level = LogLevel.Warning, Message = "Silo {Silo} still had {Replicas} replica(s) after the drain timeout of {Timeout}; they stop with the silo")]
    private static partial void LogDrainTimedOut(ILogger logger, string silo, int replicas, TimeSpan timeout);
}
