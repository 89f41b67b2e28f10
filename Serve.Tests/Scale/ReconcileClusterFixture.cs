using Serve.Hosting;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Scale;

/// <summary>
/// One silo of its own whose controller reconciles every 200 ms, whose <see cref="HeldEnsureFilter"/> can hold those calls,
/// and whose <see cref="DroppedReportFilter"/> can lose an application's status reports.
/// </summary>
public sealed class ReconcileClusterFixture() : ServeClusterFixture(1)
{
    protected override void ConfigureSilo(ISiloBuilder silo) => silo
        .AddIncomingGrainCallFilter<HeldEnsureFilter>()
        .AddIncomingGrainCallFilter<DroppedReportFilter>();

    protected override void ConfigureServe(ServeOptions options) => options.ControllerReconcilePeriod = TimeSpan.FromMilliseconds(200);

    public override async Task DisposeAsync()
    {
        HeldEnsureFilter.Hold = null;
        DroppedReportFilter.Armed = false;
        await base.DisposeAsync();
    }
}
