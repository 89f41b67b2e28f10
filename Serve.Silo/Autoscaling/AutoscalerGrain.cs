using Microsoft.Extensions.Logging;
using Orleans.GrainDirectory;
using Serve.Deployments;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Hosting;

namespace Serve.Autoscaling;

/// <summary>
/// Runs one deployment's <see cref="AutoscalingPolicy"/>: every tick it sums the freshest load reports
/// of callers (queued + in flight) and replicas (in flight), records the larger total, and hands a
/// changed decision to the deployment grain. A request waiting with no replica at all is answered at
/// once, not at the next tick.
/// </summary>
[GrainDirectory(GrainDirectoryName = ServeGrainDirectory.Name)]
internal sealed partial class AutoscalerGrain : Grain, IAutoscalerGrain
{
    /// <summary>How often load is sampled and the policy asked; reports arrive at least this often.</summary>
    internal static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    /// <summary>A report older than this is from a caller or replica that went away.</summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;
    private readonly ILogger<AutoscalerGrain> _logger;
    private readonly DeploymentMetrics _metrics;
    private DeploymentTags? _tags;
    private readonly Dictionary<string, (double Load, DateTimeOffset At)> _callers = [];
    private readonly Dictionary<string, (int InFlight, DateTimeOffset At)> _replicas = [];
    private AutoscalingPolicy? _policy;
    private IGrainTimer? _timer;
    private int _target;
    private bool _deciding;

    public AutoscalerGrain(TimeProvider time, DeploymentMetrics metrics, ILogger<AutoscalerGrain> logger)
    {
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public Task ConfigureAsync(AutoscalingConfig? config, int currentTarget)
    {
        _target = currentTarget;
        if (config is null)
        {
            _policy = null;
            _timer?.Dispose();
            _timer = null;
            DeactivateOnIdle();
            return Task.CompletedTask;
        }
        if (_policy is null)
        {
            _policy = new AutoscalingPolicy(config, _time);
        }
        else if (!_policy.Config.Equals(config))
        {
            _policy.Reconfigure(config);
        }
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(Tick, Tick) { KeepAlive = true, Interleave = false });
        return Task.CompletedTask;
    }

    public Task ReportCallerLoadAsync(string callerId, double ongoing, bool waitingForReplica)
    {
        _callers[callerId] = (ongoing, _time.GetUtcNow());
        return waitingForReplica && _target == 0 ? TickAsync(CancellationToken.None) : Task.CompletedTask;
    }

    public Task ReportReplicaLoadAsync(string replicaId, int inFlight)
    {
        _replicas[replicaId] = (inFlight, _time.GetUtcNow());
        return Task.CompletedTask;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (_policy is null || _deciding)
        {
            return;
        }
        var now = _time.GetUtcNow();
        Prune(_callers, now);
        Prune(_replicas, now);
        var callers = _callers.Values.Sum(r => r.Load);
        var replicas = _replicas.Values.Sum(r => r.InFlight);
        _policy.Record(now, Math.Max(callers, replicas));
        var decision = _policy.Decide(_target);
        if (decision.Replicas == _target)
        {
            return;
        }
        LogDecision(_logger, this.GetPrimaryKeyString(), _target, decision.Replicas, decision.Reason);
        _deciding = true;
        try
        {
            // Least busy first: the deployment stops those when it scales down.
            var leastBusy = _replicas.OrderBy(r => r.Value.InFlight).Select(r => r.Key).ToArray();
            await GrainFactory.GetGrain<IDeploymentGrain>(this.GetPrimaryKeyString())
                .SetAutoscaledTargetAsync(decision.Replicas, decision.Reason, leastBusy);
            _metrics.AutoscalingDecided(_tags ??= Tags(this.GetPrimaryKeyString()), _target, decision.Replicas);
            _target = decision.Replicas;
        }
        catch (Exception e)
        {
            LogApplyFailed(_logger, e, this.GetPrimaryKeyString());
        }
        finally
        {
            _deciding = false;
        }
    }

    /// <summary>The deployment's tags, from its key <c>application/deployment</c> (application names have no '/').</summary>
    private static DeploymentTags Tags(string key)
    {
        var slash = key.IndexOf('/');
        return new DeploymentTags(new DeploymentId(key[..slash], key[(slash + 1)..]));
    }

    private static void Prune<T>(Dictionary<string, (T, DateTimeOffset At)> reports, DateTimeOffset now)
    {
        foreach (var (key, report) in reports)
        {
            if (now - report.At > StaleAfter)
            {
                reports.Remove(key);
            }
        }
    }

    [LoggerMessage(EventId = ServeEvents.AutoscalingDecision, Level = LogLevel.Information, Message = "Deployment {Deployment}: {From} → {To} replica(s): {Reason}")]
    private static partial void LogDecision(ILogger logger, string deployment, int from, int to, string reason);

    [LoggerMessage(EventId = ServeEvents.AutoscalingFailed, Level = LogLevel.Warning, Message = "Deployment {Deployment}: applying the autoscaler's decision failed; it is retried at the next tick")]
    private static partial void LogApplyFailed(ILogger logger, Exception error, string deployment);
}
