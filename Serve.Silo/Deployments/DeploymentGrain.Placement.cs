using Microsoft.Extensions.Logging;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// What other deployments hold on each silo, and which silos are stopping, read from the silos' ledgers when the
/// reconciler asks (as an activation with a deployment begins, before placing a new spec's replicas, after a silo turned
/// out full, while the deployment cannot be placed).
/// </summary>
internal sealed partial class DeploymentGrain
{
    private static readonly TimeSpan LedgerReadTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Reads the ledgers of <paramref name="silos"/> (null: every active silo); a silo that does not answer keeps what was known of it.</summary>
    private async Task ReadLedgersAsync(IReadOnlyList<string>? silos)
    {
        silos ??= _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToString())
            .ToList();
        var reads = silos.Select(async silo =>
        {
            try
            {
                // Bounded: a silo that died unnoticed must not hold up a deployment (its replicas' starts would fail anyway).
                return (silo, Report: await GrainFactory.GetGrain<ISiloLedgerGrain>(silo).GetPlacedAsync().WaitAsync(LedgerReadTimeout, _time));
            }
            catch (Exception e)
            {
                LogLedgerUnreadable(_logger, e, Key, silo);
                return (silo, Report: (SiloLedgerReport?)null);
            }
        });
        foreach (var (silo, report) in await Task.WhenAll(reads))
        {
            if (report is not null)
            {
                _reconciler.OnLedgerRead(silo, report.Placed, report.Stopping);
            }
            else
            {
                _reconciler.OnLedgerUnreadable(silo);
            }
        }
    }

    private async Task ReadLedgersThenReconcileAsync(IReadOnlyList<string> silos)
    {
        await ReadLedgersAsync(silos);
        _reconciler.Reconcile();
        Execute();
    }
}
