using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Metadata;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Cluster;
using Serve.Deployments;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Control;

/// <summary>
/// DEPLOY_FAILED deployments tried again when the cluster's capacity grows: a worker that joins may run what the others
/// could not (a fixed build, or the deployment's assembly at all). <see cref="FailedDeploymentRetries"/> decides which and
/// when; this part follows the silos, asks the deployments <see cref="ReconcileBatch"/> at a time, and folds their answers.
/// </summary>
internal sealed partial class ControllerGrain
{
    private readonly FailedDeploymentRetries _retries = new();

    /// <summary>Follows membership and the cluster manifest (a joined silo's capacity arrives with its metadata) while this activation lives.</summary>
    private void FollowCapacity()
    {
        var membership = ServiceProvider.GetService<IClusterMembershipService>();
        if (membership is null)
        {
            return;
        }
        _ = FollowAsync(membership.MembershipUpdates);
        if (ServiceProvider.GetService<IClusterManifestProvider>() is { } manifests)
        {
            _ = FollowAsync(manifests.Updates);
        }
    }

    private async Task FollowAsync<T>(IAsyncEnumerable<T> updates)
    {
        try
        {
            await foreach (var _ in updates.WithCancellation(_deactivating.Token))
            {
                CheckCapacity();
            }
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
            // Deactivated.
        }
        catch (ObjectDisposedException)
        {
            // The silo stopped under this activation.
        }
    }

    /// <summary>Looks at the silos that host replicas: when one joined, the failed deployments are asked to try again.</summary>
    private void CheckCapacity()
    {
        if (ServiceProvider.GetService<IClusterMembershipService>() is not { } membership)
        {
            return;
        }
        var failed = FailedDeployments();
        if (_retries.OnSilos(HostingSilos(membership.CurrentSnapshot), failed.Keys))
        {
            RetryDue(failed);
        }
    }

    /// <summary>Asks the failed deployments that are due (<see cref="FailedDeploymentRetries.Due"/>) to try again.</summary>
    private void RetryDue(Dictionary<string, (ApplicationSpec App, DeploymentSpec Deployment)>? failed = null)
    {
        failed ??= FailedDeployments();
        var existing = Applications.Values.SelectMany(a => a.Deployments).Select(d => d.Id.Key).ToHashSet(StringComparer.Ordinal);
        var due = _retries.Due(failed.Keys, existing.Contains);
        if (due.Count == 0)
        {
            return;
        }
        var reason = _retries.Reason;
        LogRetrying(_logger, due.Count, reason, string.Join(", ", due));
        _ = RetryAsync(due.Select(key => failed[key]).ToArray(), reason);
    }

    /// <summary>The deployments DEPLOY_FAILED now, by key, of applications no deploy or delete is changing.</summary>
    private Dictionary<string, (ApplicationSpec App, DeploymentSpec Deployment)> FailedDeployments()
    {
        var failed = new Dictionary<string, (ApplicationSpec, DeploymentSpec)>(StringComparer.Ordinal);
        foreach (var app in Applications.Values.Where(IsSettled))
        {
            if (_statuses.GetValueOrDefault(app.Name) is not { } status)
            {
                continue;
            }
            foreach (var deployment in app.Deployments)
            {
                if (status.Deployments.GetValueOrDefault(deployment.Name)?.State == DeploymentState.DeployFailed)
                {
                    failed[deployment.Id.Key] = (app, deployment);
                }
            }
        }
        return failed;
    }

    /// <summary>A batch at a time, so a thousand failed deployments do not all start replicas on the new silo at once.</summary>
    private async Task RetryAsync(IReadOnlyList<(ApplicationSpec App, DeploymentSpec Deployment)> due, string reason)
    {
        for (var i = 0; i < due.Count; i += ReconcileBatch)
        {
            await Task.WhenAll(due.Skip(i).Take(ReconcileBatch).Select(d => RetryAsync(d.App, d.Deployment, reason)));
        }
    }

    private async Task RetryAsync(ApplicationSpec app, DeploymentSpec deployment, string reason)
    {
        var key = deployment.Id.Key;
        try
        {
            if (!IsSettled(app) || _deactivating.IsCancellationRequested)
            {
                return;
            }
            // The deployment checks the spec is still the one it follows: a deploy that overtakes this call wins.
            var report = await Deployment(deployment.Id).RetryFailedStartAsync(deployment, reason);
            if (IsSettled(app) && _order.Accept(key, report.Activation, report.Sequence) && Fold(app.Name, report.Status))
            {
                PublishSoon();
            }
        }
        catch (Exception e)
        {
            // The capacity's next change, or a serve deploy, asks again.
            if (StoppingSiloFailure.Level(LogLevel.Warning, _ledger.Stopping) == LogLevel.Warning)
            {
                LogRetryFailed(_logger, e, key);
            }
        }
        finally
        {
            _retries.Done(key);
        }
    }

    /// <summary>Active silos that host replicas, as their metadata says; one whose metadata has not arrived yet is not counted yet.</summary>
    private List<string> HostingSilos(ClusterMembershipSnapshot snapshot)
    {
        var metadata = ServiceProvider.GetService<ISiloMetadataCache>();
        var local = ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var localOptions = ServiceProvider.GetService<IOptions<ServeSiloOptions>>();
        var hosting = new List<string>();
        foreach (var member in snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active))
        {
            var capacity = metadata is null ? SiloCapacity.Undeclared
                : SiloCapacity.FromMetadata(metadata.GetSiloMetadata(member.SiloAddress).Metadata)
                ?? (member.SiloAddress.Equals(local) && localOptions is not null ? SiloCapacity.From(localOptions.Value) : null);
            if (capacity is { HostsReplicas: true })
            {
                hosting.Add(member.SiloAddress.ToString());
            }
        }
        return hosting;
    }

    [LoggerMessage(EventId = ServeEvents.FailedDeploymentsRetried, Level = LogLevel.Information, Message = "Retrying {Count} DEPLOY_FAILED deployment(s) because {Reason}: {Deployments}")]
    private static partial void LogRetrying(ILogger logger, int count, string reason, string deployments);

    [LoggerMessage(EventId = ServeEvents.FailedDeploymentsRetried, Level = LogLevel.Warning, Message = "Retrying deployment {Deployment} failed; the next silo to join, or serve deploy, retries it")]
    private static partial void LogRetryFailed(ILogger logger, Exception error, string deployment);
}
