using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Replicas;

/// <summary>
/// A multiplexed replica tells its deployment which models it holds whenever that changes (a load finished, a model
/// was evicted), so routers send each model's requests where it is loaded. Reports are numbered: the deployment keeps
/// the newest, whatever order the one-way messages arrive in. Nothing is sent per request.
/// </summary>
internal sealed partial class ReplicaGrain
{
    private IDeploymentGrain? _deployment;
    private long _modelsSequence;
    private int _modelsReportPending;

    private void PublishModels(DeploymentSpec spec, ReplicaInstance? instance)
    {
        if (instance?.Models is not { } models || _deployment is not null)
        {
            return;
        }
        _deployment = GrainFactory.GetGrain<IDeploymentGrain>(spec.Id.Key);
        models.Changed = OnModelsChanged;
    }

    /// <summary>Called from wherever the cache changed (a load ends on the thread pool): one report at a time is queued.</summary>
    private void OnModelsChanged()
    {
        if (Interlocked.Exchange(ref _modelsReportPending, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.ReportModels(), this, preferLocal: false);
        }
    }

    private void ReportModels()
    {
        // Changes from here on queue another report, which reads the set again.
        Volatile.Write(ref _modelsReportPending, 0);
        if (_instance?.Models is not { } models || _deployment is null)
        {
            return;
        }
        var sequence = Interlocked.Increment(ref _modelsSequence);
        try
        {
            _ = _deployment.ReportModelsAsync(ReplicaId, sequence, models.LoadedModels);
        }
        catch (Exception e)
        {
            LogModelsReportFailed(_logger, e, ReplicaId);
        }
    }

    [LoggerMessage(EventId = ServeEvents.ModelsReportFailed, Level = LogLevel.Debug, Message = "Replica {Replica} could not report its models")]
    private static partial void LogModelsReportFailed(ILogger logger, Exception error, string replica);
}
