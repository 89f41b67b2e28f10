using Serve.Diagnostics;
using Serve.Grains;

namespace Serve.Routing;

/// <summary>
/// What exists instead of a deployment or application a caller named that does not: the near names and the list, from the
/// controller's status. Asked only once a call found nothing to route to; the status is kept and sent again by the
/// controller only when it changed, so a caller repeating a misspelled name costs a small round trip each time.
/// </summary>
internal sealed class DeploymentNames(IGrainFactory grains)
{
    private ServeSnapshot? _known;

    /// <summary>The not-found error for <paramref name="deployment"/>, naming what exists; the plain one if the controller cannot say.</summary>
    public async Task<DeploymentNotFoundException> NotFoundAsync(DeploymentId deployment, CancellationToken cancellationToken)
    {
        try
        {
            var controller = grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
            var known = Volatile.Read(ref _known);
            var snapshot = await controller.GetSnapshotIfChangedAsync(known?.Version ?? long.MinValue).WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? known ?? await controller.GetSnapshotAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _known, snapshot);
            return new DeploymentNotFoundException(deployment.Key, WhatExists(deployment, snapshot.Status));
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The error stands without its suggestions: the call failed for the name, not for the controller.
            return new DeploymentNotFoundException(deployment.Key);
        }
    }

    /// <summary>
    /// <c>no deployment 'Tranlator' in application 'default'; did you mean 'Translator'? Its deployments: ...</c>, or for an
    /// application that does not exist, the applications there are.
    /// </summary>
    internal static string WhatExists(DeploymentId deployment, ServeStatus status)
    {
        if (!status.Applications.TryGetValue(deployment.Application, out var application))
        {
            return $"no application '{deployment.Application}' is running; "
                + NearNames.Suggest(deployment.Application, status.Applications.Keys.ToList(), "Applications", "applications running");
        }
        return $"no deployment '{deployment.Name}' in application '{deployment.Application}'; "
            + NearNames.Suggest(deployment.Name, application.Deployments.Keys.ToList(), "Its deployments", "deployments in it");
    }

    /// <summary>The not-found error for an application, naming what exists.</summary>
    internal static ApplicationNotFoundException ApplicationNotFound(string application, ServeStatus status) =>
        new(application, NearNames.Suggest(application, status.Applications.Keys.ToList(), "Applications", "applications running"));
}
