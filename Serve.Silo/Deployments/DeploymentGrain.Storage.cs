using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Serve.Deployments;

/// <summary>
/// The deployment's stored record (spec, target, replicas). This grain alone writes it, so what it holds in memory is
/// the truth and the store follows: one write at a time, the changes made meanwhile written by the next. A write that
/// timed out (Redis away) may still land later and leave the ETag this activation holds stale; a conflict therefore
/// takes the stored ETag and writes the record again.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private Task _writing = Task.CompletedTask;
    private bool _writeAgain;

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

    /// <summary>Writes the record after work already done (a replica started, stopped or lost), after any write in flight.</summary>
    private void PersistSoon()
    {
        if (!_writing.IsCompleted)
        {
            _writeAgain = true;
            return;
        }
        _writing = WriteUntilCurrentAsync();
        Run(_writing);
    }

    private async Task WriteUntilCurrentAsync()
    {
        do
        {
            _writeAgain = false;
            try
            {
                await PersistAsync();
            }
            catch (Exception e)
            {
                // The next write catches up.
                LogStateWriteFailed(_logger, e, Key);
            }
        }
        while (_writeAgain && Spec is not null);
    }
}
