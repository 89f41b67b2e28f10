using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// Deleting an application: its deployments stop their replicas and forget themselves, then the application leaves the
/// stored state. A deployment whose grain cannot be reached (its silo was just killed, and is not yet declared dead) is
/// asked again, with a backoff, until it answers: once the silo is declared dead its grain activates on another silo
/// from the store, so a delete finishes within the cluster's death-detection time and one backoff delay, and never
/// waits for someone to run it again.
/// </summary>
internal sealed partial class ControllerGrain
{
    private static readonly ResiliencePropertyKey<(string Application, string Deployment)> DeletingDeployment = new("serve.deleting-deployment");

    /// <summary>
    /// The first delay before asking a deployment again; each next one doubles (jittered) up to <see cref="DeleteRetryMaxDelay"/>:
    /// a few calls to a silo that refuses connections until it is declared dead (about 1–2 s with <c>Fast</c> liveness,
    /// 13–17 s by default).
    /// </summary>
    private static readonly TimeSpan DeleteRetryDelay = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan DeleteRetryMaxDelay = TimeSpan.FromSeconds(2);

    private ResiliencePipeline? _deleteRetry;

    /// <summary>Ends the deletes' retries when this activation goes: the next one has its own state to act on.</summary>
    private readonly CancellationTokenSource _deactivating = new();

    /// <summary>
    /// Starts deleting <paramref name="name"/> and returns once the start is stored: the application is marked deleting
    /// in the stored state first, so a controller that takes over (this one's silo died or stopped mid-delete) finishes
    /// the delete instead of re-applying the application. A store that fails leaves nothing changed and says so.
    /// </summary>
    public async Task DeleteApplicationAsync(string name)
    {
        if (!Applications.TryGetValue(name, out var spec))
        {
            throw new ApplicationNotFoundException(name);
        }
        if (!_deleting.Add(name))
        {
            return;
        }
        var marked = _state.State.Deleting.Add(name);
        try
        {
            await StoreAsync($"the start of deleting application '{name}'", () =>
            {
                if (marked)
                {
                    _state.State.Deleting.Remove(name);
                }
            });
        }
        catch
        {
            _deleting.Remove(name);
            throw;
        }
        StartDeleting(spec);
    }

    /// <summary>
    /// Goes on with the deletes a previous activation stored as started: each application marked deleting is deleted
    /// again (idempotent for deployments already gone); a mark left for an application no longer stored is dropped.
    /// </summary>
    private void ResumeDeletes()
    {
        foreach (var name in _state.State.Deleting.ToArray())
        {
            if (Applications.TryGetValue(name, out var spec))
            {
                _deleting.Add(name);
                LogDeleteResumed(_logger, name);
                StartDeleting(spec);
            }
            else
            {
                _state.State.Deleting.Remove(name);
            }
        }
    }

    private void StartDeleting(ApplicationSpec spec)
    {
        _statuses[spec.Name] = _statuses[spec.Name] with { State = ApplicationState.Deleting, Message = "" };
        Publish();
        // Draining may take the graceful timeout; the controller stays free meanwhile, and callers watch the snapshot.
        _ = DeleteInBackgroundAsync(spec);
    }

    private async Task DeleteInBackgroundAsync(ApplicationSpec spec)
    {
        try
        {
            await Task.WhenAll(spec.Deployments.Select(d => AfterEnsureAsync(d.Id)));
            // The route went with the publish that marked it deleting: a gateway still routing to the deployments once they
            // are gone would answer 503 "does not exist" instead of a 404.
            await WhenGatewaysServeAsync(_routes.Version, GatewayRouteWait);
            await Task.WhenAll(spec.Deployments.Select(d => DeleteDeploymentAsync(spec.Name, d.Id)));
            Applications.Remove(spec.Name);
            _state.State.Deleting.Remove(spec.Name);
            await StoreAsync($"the deletion of application '{spec.Name}'", () =>
            {
                Restore(spec.Name, spec);
                _state.State.Deleting.Add(spec.Name);
            });
            _statuses.Remove(spec.Name);
            _routed.Forget(spec.Name);
            foreach (var deployment in spec.Deployments)
            {
                _order.Forget(deployment.Id.Key);
            }
            LogDeleted(_logger, spec.Name);
        }
        catch (Exception e)
        {
            // The store failed (or this activation is going): the application stays marked deleting, and the next
            // activation of the controller (a failed store deactivates this one) finishes the delete.
            _statuses[spec.Name] = _statuses[spec.Name] with { Message = $"Deleting failed: {e.Message} It goes on when the controller reloads its state; running the delete again retries now." };
            LogDeleteFailed(_logger, e, spec.Name);
        }
        finally
        {
            _deleting.Remove(spec.Name);
            Publish();
        }
    }

    /// <summary>Deletes one deployment, asking again (see <see cref="DeleteRetryDelay"/>) for as long as this activation lives.</summary>
    private async Task DeleteDeploymentAsync(string application, DeploymentId deployment)
    {
        _deleteRetry ??= CreateDeleteRetry();
        // Continuations stay on the grain's scheduler: the statuses are only touched there.
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, _deactivating.Token);
        context.Properties.Set(DeletingDeployment, (application, deployment.Name));
        try
        {
            await _deleteRetry.ExecuteAsync(static (_, state) => new ValueTask(state.Self.Deployment(state.Deployment).DeleteAsync()), context, (Self: this, Deployment: deployment));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline CreateDeleteRetry() => new ResiliencePipelineBuilder { TimeProvider = _time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !_deactivating.IsCancellationRequested),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = DeleteRetryDelay,
            MaxDelay = DeleteRetryMaxDelay,
            OnRetry = args =>
            {
                var (application, deployment) = args.Context.Properties.GetValue(DeletingDeployment, default);
                var error = args.Outcome.Exception!;
                LogDeleteRetried(_logger, error, application, deployment, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds);
                // The status says what the delete waits for; a watcher sees it while the delete goes on.
                if (_statuses.TryGetValue(application, out var status))
                {
                    _statuses[application] = status with { Message = $"Waiting for deployment '{deployment}' to confirm its deletion, asked again every {DeleteRetryMaxDelay.TotalSeconds:0} s at most: {error.GetBaseException().Message}" };
                    Publish();
                }
                return default;
            },
        })
        .Build();

    [LoggerMessage(EventId = ServeEvents.ApplicationDeleteRetried, Level = LogLevel.Warning, Message = "Application {Application}: deleting deployment {Deployment} failed (attempt {Attempt}); asking again in {DelaySeconds:0.00} s")]
    private static partial void LogDeleteRetried(ILogger logger, Exception error, string application, string deployment, int attempt, double delaySeconds);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeleteFailed, Level = LogLevel.Warning, Message = "Application {Application}: deleting it failed; it stays marked deleting, and the delete goes on when the controller reloads its state")]
    private static partial void LogDeleteFailed(ILogger logger, Exception error, string application);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeleteResumed, Level = LogLevel.Information, Message = "Application {Application}: its delete was under way when the controller last stopped; finishing it")]
    private static partial void LogDeleteResumed(ILogger logger, string application);
}
