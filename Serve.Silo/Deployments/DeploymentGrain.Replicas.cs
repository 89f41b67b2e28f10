using Serve.Replicas;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;
using Orleans.Runtime.Placement;
using Polly;
using Polly.Retry;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// Carrying out the reconciler's replica commands. A start whose constructor fails is retried by a Polly retry
/// (exponential backoff with jitter, on the grain's clock) for as long as the reconciler allows, on the same replica
/// and silo; a start that cannot reach its silo, or finds it full, ends so the reconciler places the replica again.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private static readonly ResiliencePropertyKey<ReplicaRecord> StartingReplica = new("serve.starting-replica");

    private readonly ResiliencePipeline _startRetry;
    private readonly Dictionary<ReplicaRecord, CancellationTokenSource> _starts = [];
    private IGrainTimer? _healthTimer;
    private TimeSpan _healthPeriod;

    private ResiliencePipeline CreateStartRetry() => new ResiliencePipelineBuilder { TimeProvider = _time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(
                !_gone
                && args.Outcome.Exception is { } error
                && StartFailureClassifier.Failure(StartFailureClassifier.Cause(error)) == StartFailure.Constructor
                && args.Context.Properties.TryGetValue(StartingReplica, out var replica)
                && _reconciler.ShouldRetryStart(replica, error.Message)),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(2),
            OnRetry = args =>
            {
                if (args.Outcome.Exception is { } error && args.Context.Properties.TryGetValue(StartingReplica, out var replica))
                {
                    LogStartFailure(replica, StartFailureClassifier.Cause(error), error);
                }
                // The status shows the failures so far.
                Execute();
                return default;
            },
        })
        .Build();

    private async Task StartReplicaAsync(ReplicaRecord replica)
    {
        using var abandon = new CancellationTokenSource();
        _starts[replica] = abandon;
        // Continuations stay on the grain's scheduler: the reconciler is only touched there.
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, abandon.Token);
        context.Properties.Set(StartingReplica, replica);
        try
        {
            var started = await _startRetry.ExecuteAsync(
                static (_, state) => state.Self.AttemptStartAsync(state.Replica),
                context,
                (Self: this, Replica: replica));
            _reconciler.OnStarted(replica, started.Silo, started.GrpcClientStreaming, started.Exchange, started.Build);
            if (Spec is { } spec)
            {
                _metrics.ReplicaStarted(_tags ??= new DeploymentTags(spec.Id));
            }
        }
        catch (Exception) when (abandon.IsCancellationRequested)
        {
            // Called off (AbandonStart): the replica's start was cancelled with it, and it gave back what it took.
            _reconciler.OnStartAbandoned(replica);
        }
        catch (OperationCanceledException) when (replica.State != ReplicaState.Starting)
        {
            _reconciler.OnStartAbandoned(replica);
        }
        catch (Exception) when (_gone)
        {
            // This activation is gone (its silo stops): the start's failure says nothing of the replica, and the next
            // activation, perhaps on another silo, takes the deployment over from its stored state.
            _reconciler.OnStartAbandoned(replica);
        }
        catch (Exception e)
        {
            var cause = StartFailureClassifier.Cause(e);
            LogStartFailure(replica, cause, e);
            _reconciler.OnStartFailed(replica, StartFailureClassifier.Failure(cause));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            _starts.Remove(replica);
        }
        Execute();
    }

    /// <summary>
    /// One line for a failed start, as loud as its cause deserves (<see cref="StartFailureClassifier.Level"/>): the
    /// replica logged its own code's failure, with its stack, on its silo; the cluster's causes carry theirs at Debug.
    /// </summary>
    private void LogStartFailure(ReplicaRecord replica, StartFailureCause cause, Exception error)
    {
        switch (cause)
        {
            case StartFailureCause.SiloFull:
                LogSiloFull(_logger, Key, error.Message);
                break;
            case StartFailureCause.Unreachable:
                LogStartUnreachable(_logger, error, replica.Id);
                break;
            case StartFailureCause.Cancelled:
                LogStartCalledOff(_logger, error, replica.Id);
                break;
            default:
                LogStartFailed(_logger, StartFailureClassifier.Level(cause), Key, _reconciler.ConstructorFailures, Spec?.Options.MaxConstructorRetryCount ?? 0, error.Message);
                break;
        }
    }

    /// <summary>One try at building the replica's instance, on the silo the reconciler chose, with the current spec.</summary>
    private async ValueTask<ReplicaStarted> AttemptStartAsync(ReplicaRecord replica)
    {
        if (_gone)
        {
            throw new OperationCanceledException($"The deployment's activation is gone; replica {replica.Id} is not started from it.");
        }
        var spec = _reconciler.BeginStartAttempt(replica) ?? throw new OperationCanceledException($"Replica {replica.Id} is no longer wanted.");
        var hint = replica.Silo is { } chosen ? _membership.CurrentSnapshot.Members.Keys.FirstOrDefault(s => s.ToString() == chosen) : null;
        if (hint is not null)
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, hint);
        }
        // The replica bounds its start by the deployment's InitializationTimeout and HealthCheckTimeout, so Orleans'
        // response timeout is lifted for it (a model may load for minutes); this bound is for a replica that cannot answer.
        var bound = spec.Options.InitializationTimeout + spec.Options.HealthCheckTimeout + _options.StopGrace;
        try
        {
            return await GrainFactory.GetGrain<IReplicaGrain>(replica.Id).StartAsync(spec, CancellationToken.None).WaitAsync(bound, _time);
        }
        catch (TimeoutException)
        {
            // Not a ServeException: the replica did not answer, so no line of its own says why the start failed.
            throw new TimeoutException($"Deployment '{spec.Id}': replica {replica.Id} did not answer its start within {bound.TotalSeconds:0.###} s (InitializationTimeout, HealthCheckTimeout and {_options.StopGrace.TotalSeconds:0.###} s of grace).");
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    private async Task StopReplicaAsync(ReplicaRecord replica)
    {
        var graceful = Spec?.Options.GracefulShutdownTimeout ?? DeploymentOptions.DefaultGracefulShutdownTimeout;
        try
        {
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id)
                .StopAsync(graceful, CancellationToken.None)
                .WaitAsync(graceful + _options.StopGrace, _time);
        }
        catch (Exception e)
        {
            // Dead or stuck: either way it no longer serves, and it left the routing set first.
            LogStopFailed(_logger, e, replica.Id);
        }
        _reconciler.OnStopped(replica);
        Execute();
    }

    /// <summary>
    /// Gives up a start: a retry's wait ends at once, and an attempt under way is called off on the replica, whose
    /// initialization is cancelled, so a delete or a scale-down does not wait for a model that loads for minutes. The
    /// attempt's answer still decides: a replica that started just before is stopped, as one that started late is.
    /// </summary>
    private void AbandonStart(ReplicaRecord replica)
    {
        if (_starts.TryGetValue(replica, out var abandon))
        {
            abandon.Cancel();
            Run(CallOffStartAsync(replica));
        }
        else
        {
            _reconciler.OnStartAbandoned(replica);
        }
    }

    private async Task CallOffStartAsync(ReplicaRecord replica)
    {
        try
        {
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id).CancelStartAsync().WaitAsync(_options.StopGrace, _time);
        }
        catch (Exception e)
        {
            // Unreachable (its silo went), or a silo of an earlier release: the start ends in its own time, as before.
            LogCallOffFailed(_logger, e, replica.Id);
        }
    }

    private async Task ReconfigureReplicaAsync(ReplicaRecord replica)
    {
        var (spec, revision) = (Spec!, _reconciler.State.Revision);
        try
        {
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id).ReconfigureAsync(spec, CancellationToken.None);
            _reconciler.OnReconfigured(replica, revision);
        }
        catch (Exception e) when (IsSiloUnreachable(e))
        {
            // Not the config's fault: the replica's silo is gone or going; its health decides.
            _reconciler.OnReconfigureUnreachable(replica);
            _reconciler.OnHealthCheckFailed(replica, e.Message, unreachable: true);
        }
        catch (Exception e)
        {
            LogReconfigureFailed(_logger, e, replica.Id);
            _reconciler.OnReconfigureFailed(replica, revision, e.Message);
        }
        Execute();
    }

    private async Task CheckHealthAsync(ReplicaRecord replica)
    {
        var timeout = Spec?.Options.HealthCheckTimeout ?? DeploymentOptions.DefaultHealthCheckTimeout;
        try
        {
            using var cancel = new CancellationTokenSource(timeout, _time);
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id).CheckHealthAsync(cancel.Token).WaitAsync(timeout, _time);
            _reconciler.OnHealthCheckPassed(replica);
        }
        catch (ReplicaNotRunningException)
        {
            // A replica already lost with its silo (whose Warning said so) is no news when its check's answer comes after.
            if (_reconciler.OnFoundNotRunning(replica))
            {
                LogLostActivation(_logger, replica.Id);
            }
            else
            {
                LogLostActivationKnown(_logger, replica.Id);
            }
        }
        catch (Exception e)
        {
            var failures = replica.HealthFailures + 1;
            if (_reconciler.OnHealthCheckFailed(replica, e.Message, IsSiloUnreachable(e)))
            {
                LogHealthCheckFailed(_logger, e, replica.Id, failures);
                if (replica.State == ReplicaState.Stopping)
                {
                    LogReplaced(_logger, replica.Id);
                }
            }
            else
            {
                // Lost with its silo while the check was under way (the deployment's Warning said so), or stopping already.
                LogHealthCheckFailedKnown(_logger, replica.Id, e.Message);
            }
        }
        Execute();
    }

    private void Carry(ReplicaCommand command)
    {
        switch (command.Kind)
        {
            case ReplicaCommandKind.Start:
                Run(StartReplicaAsync(command.Replica));
                break;
            case ReplicaCommandKind.Stop:
                Run(StopReplicaAsync(command.Replica));
                break;
            case ReplicaCommandKind.AbandonStart:
                AbandonStart(command.Replica);
                break;
            case ReplicaCommandKind.Reconfigure:
                Run(ReconfigureReplicaAsync(command.Replica));
                break;
            case ReplicaCommandKind.CheckHealth:
                Run(CheckHealthAsync(command.Replica));
                break;
        }
    }

    private void EnsureHealthTimer()
    {
        var period = Spec?.Options.HealthCheckPeriod ?? DeploymentOptions.DefaultHealthCheckPeriod;
        if (_healthTimer is not null && period == _healthPeriod)
        {
            return;
        }
        _healthTimer?.Dispose();
        _healthPeriod = period;
        _healthTimer = this.RegisterGrainTimer(
            _ =>
            {
                _reconciler.OnHealthCheckDue();
                Execute();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(period, period) { KeepAlive = true, Interleave = true });
    }

    /// <summary>The replica's silo could not be reached: not the user's code failing.</summary>
    private static bool IsSiloUnreachable(Exception error) => StartFailureClassifier.IsSiloUnreachable(error);
}
