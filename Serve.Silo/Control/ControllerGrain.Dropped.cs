using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// The deployments an update drops (a renamed ingress, a deployment taken out of the application): marked in the store
/// with the update, deleted once no gateway routes to them, unmarked then. A controller that takes over while marks are
/// left (the one before died in between) deletes them, so their replicas do not run on for good with nothing to remember
/// them. What to delete and what to keep is <see cref="DroppedDeployments"/>'s to say.
/// </summary>
internal sealed partial class ControllerGrain
{
    /// <summary>The deletes of dropped deployments in flight, by deployment key: an update adding one back applies it after.</summary>
    private readonly Dictionary<string, Task> _droppedDeletes = [];

    /// <summary>
    /// Marks the deployments <paramref name="previous"/> had and <paramref name="spec"/> drops, and unmarks those
    /// <paramref name="spec"/> has again, in the state the caller writes next; returns what undoes both (a failed write).
    /// </summary>
    private Action MarkDropped(ApplicationSpec spec, ApplicationSpec? previous)
    {
        var marks = _state.State.Dropped;
        var marked = DroppedDeployments.Of(previous, spec).Where(marks.Add).ToArray();
        var back = spec.Deployments.Select(d => d.Id).Where(marks.Remove).ToArray();
        return () =>
        {
            marks.ExceptWith(marked);
            marks.UnionWith(back);
        };
    }

    /// <summary>
    /// Deletes the deployments a previous activation marked dropped and did not get to delete, in the background: once
    /// the gateways serve this activation's routes (which lead to none of them), as an update's own delete waits.
    /// </summary>
    private void ResumeDrops()
    {
        if (_state.State.Dropped.Count == 0)
        {
            return;
        }
        var marked = _state.State.Dropped.ToArray();
        LogDropsResumed(_logger, marked.Length, string.Join(", ", marked.Select(d => d.Key)));
        _ = ResumeDropsAsync(marked);
    }

    private async Task ResumeDropsAsync(DeploymentId[] marked)
    {
        try
        {
            await WhenGatewaysServeAsync(_routes.Version, GatewayRouteWait);
            // Asked again until they answer: a deployment whose silo died with the controller's answers once its death is declared.
            await DeleteDroppedAsync(marked, retry: true);
        }
        catch (Exception e)
        {
            // This activation is going, or its store failed: the marks stay, and the next activation deletes them.
            LogDroppedDeleteFailed(_logger, e, string.Join(", ", marked.Select(d => d.Key)));
        }
    }

    /// <summary>
    /// Deletes those of <paramref name="dropped"/> whose application's stored spec does not have them again, then unmarks
    /// them all in the store. <paramref name="retry"/>: each delete is asked again until it answers (see
    /// <see cref="DeleteDeploymentAsync"/>); else a failed delete fails the caller, and its mark stays.
    /// </summary>
    private async Task DeleteDroppedAsync(IReadOnlyCollection<DeploymentId> dropped, bool retry)
    {
        var (delete, keep) = DroppedDeployments.Sort(dropped, Applications);
        var deletes = new Task[delete.Length];
        for (var i = 0; i < delete.Length; i++)
        {
            var deployment = delete[i];
            deletes[i] = _droppedDeletes[deployment.Key] = retry ? DeleteDeploymentAsync(deployment.Application, deployment) : Deployment(deployment).DeleteAsync();
        }
        try
        {
            await Task.WhenAll(deletes);
        }
        finally
        {
            for (var i = 0; i < delete.Length; i++)
            {
                if (_droppedDeletes.TryGetValue(delete[i].Key, out var call) && call == deletes[i])
                {
                    _droppedDeletes.Remove(delete[i].Key);
                }
            }
        }
        foreach (var deployment in delete)
        {
            _order.Forget(deployment.Key);
        }
        await UnmarkAsync(delete.Concat(keep));
    }

    /// <summary>Removes the marks of deleted (or added back) deployments from the store; a write that fails leaves them to the next activation.</summary>
    private async Task UnmarkAsync(IEnumerable<DeploymentId> done)
    {
        var unmarked = done.Where(_state.State.Dropped.Remove).ToArray();
        if (unmarked.Length == 0)
        {
            return;
        }
        try
        {
            await StoreAsync($"the end of deleting dropped deployment(s) {string.Join(", ", unmarked.Select(d => d.Key))}", () => _state.State.Dropped.UnionWith(unmarked));
        }
        catch (StateStoreUnavailableException)
        {
            // Logged, and this activation leaves: the next one deletes them again (a deleted deployment's delete does nothing).
        }
    }

    [LoggerMessage(EventId = ServeEvents.DroppedDeploymentsResumed, Level = LogLevel.Information, Message = "{Count} deployment(s) dropped by an update were not deleted yet when the controller last stopped: {Deployments}; deleting them")]
    private static partial void LogDropsResumed(ILogger logger, int count, string deployments);

    [LoggerMessage(EventId = ServeEvents.DroppedDeploymentsDeleteFailed, Level = LogLevel.Warning, Message = "Deleting deployment(s) dropped by an update failed: {Deployments}; they stay marked, and the controller's next activation deletes them")]
    private static partial void LogDroppedDeleteFailed(ILogger logger, Exception error, string deployments);
}
