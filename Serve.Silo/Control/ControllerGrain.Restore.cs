using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// The controller activated with applications from its store (another silo took it over, or the whole cluster restarted):
/// its status reads wait, briefly, until the deployments have said how they are.
/// </summary>
internal sealed partial class ControllerGrain
{
    /// <summary>
    /// How long status reads wait, after the controller is activated with applications from its store (another silo took
    /// it over, or the whole cluster restarted), for the first reconcile pass to fold what their deployments report.
    /// </summary>
    private static readonly TimeSpan RestoreWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Completed once the first reconcile pass after activation has folded the deployments' reports. Until then the
    /// statuses of restored applications are placeholders (nothing heard yet), and status reads wait for it, up to
    /// <see cref="RestoreWait"/>: else a controller that moved to another silo showed every running application
    /// DEPLOYING, its deployments with no replica, until the pass answered (about a second).
    /// </summary>
    private readonly TaskCompletionSource _restored = NewSignal();

    /// <summary>Waits, up to <see cref="RestoreWait"/>, until restored applications show what their deployments reported.</summary>
    private async Task RestoredAsync()
    {
        if (!_restored.Task.IsCompleted)
        {
            // Past the wait, the placeholders are shown: they say what is not known yet. On the grain's scheduler still.
            await _restored.Task.WaitAsync(RestoreWait, _time)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    /// <summary>A stored application before its deployments have answered this activation: shown only once <see cref="RestoreWait"/> has passed.</summary>
    private static ApplicationStatus RestoredStatus(ApplicationSpec spec)
    {
        var initial = InitialStatus(spec, null, null);
        return initial with
        {
            Deployments = initial.Deployments.ToDictionary(d => d.Key, d => d.Value with { Message = RestoredMessage }),
        };
    }

    private const string RestoredMessage = "not reported yet: the controller was restored from its store and waits for this deployment to answer";
}
