using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Serve.Deployments;

/// <summary>
/// The deployment's stored record (spec, target, replicas). This grain alone writes it, so what it holds in memory is
/// the truth and the store follows. A write that timed out (Redis away) may still land later and leave the ETag this
/// activation holds stale; a conflict therefore takes the stored ETag and writes the record again.
/// </summary>
internal sealed partial class DeploymentGrain
{
    /// <summary>Writes the record; a store that cannot be written fails the caller (a change not stored is not accepted).</summary>
    private async Task PersistAsync()
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException e)
        {
            LogStateConflict(_logger, e, Key);
            var current = _state.State;
            await _state.ReadStateAsync();
            _state.State = current;
            await _state.WriteStateAsync();
        }
    }

    /// <summary>Writes the record after work already done (a replica started, stopped or lost): a failure is logged, and the next write catches up.</summary>
    private async Task TryPersistAsync()
    {
        try
        {
            await PersistAsync();
        }
        catch (Exception e)
        {
            LogStateWriteFailed(_logger, e, Key);
        }
    }

    [LoggerMessage(EventId = ServeEvents.DeploymentStateWriteFailed, Level = LogLevel.Warning, Message = "Deployment {Deployment}: writing its state failed; the next write catches up")]
    private static partial void LogStateWriteFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.DeploymentStateConflict, Level = LogLevel.Information, Message = "Deployment {Deployment}: its stored record changed since it was read (a write that timed out landed later); writing it again")]
    private static partial void LogStateConflict(ILogger logger, Exception error, string deployment);
}
