using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serve.Diagnostics;

namespace Serve.Routing;

/// <summary>
/// The routers' instruments on the <c>Serve</c> meter. Only failure paths touch them, so a call that
/// goes through the first time costs nothing here.
/// </summary>
internal sealed class RouterMetrics
{
    private readonly Counter<long> _retries;
    private readonly Counter<long> _replicaUnavailable;
    private readonly Counter<long> _modelSpills;

    public RouterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServeMeter.Name);
        _retries = meter.CreateCounter<long>(
            "serve.router.retries", "{call}", "Calls a router sent to another replica after the first could not complete them.");
        _replicaUnavailable = meter.CreateCounter<long>(
            "serve.router.replica_unavailable", "{call}", "Calls failed fast because their replica was lost mid-call and they are not idempotent.");
        _modelSpills = meter.CreateCounter<long>(
            "serve.router.multiplexed_spills", "{call}", "Calls sent to a replica without their multiplexed model because every replica holding it stayed busy.");
    }

    public void ModelSpilled(DeploymentId deployment) =>
        _modelSpills.Add(1, new TagList
        {
            { ServeMeter.ApplicationTag, deployment.Application },
            { ServeMeter.DeploymentTag, deployment.Name },
        });

    public void Retried(DeploymentId deployment, RetryReason reason) =>
        _retries.Add(1, new TagList
        {
            { ServeMeter.ApplicationTag, deployment.Application },
            { ServeMeter.DeploymentTag, deployment.Name },
            { ServeMeter.RetryReasonTag, Name(reason) },
        });

    public void ReplicaUnavailable(DeploymentId deployment) =>
        _replicaUnavailable.Add(1, new TagList
        {
            { ServeMeter.ApplicationTag, deployment.Application },
            { ServeMeter.DeploymentTag, deployment.Name },
        });

    private static string Name(RetryReason reason) => reason switch
    {
        RetryReason.NeverDelivered => "never_delivered",
        RetryReason.IdempotentReplay => "idempotent_replay",
        _ => "replica_gone",
    };
}
