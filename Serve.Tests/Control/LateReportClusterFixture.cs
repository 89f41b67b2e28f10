using Serve.Hosting;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

/// <summary>
/// One silo of its own whose <see cref="LateReportFilter"/> can deliver a status report late. Its controller reconciles
/// once, at start (a pass would mend a lost status and hide it), and its long polls answer after a second unchanged.
/// </summary>
public sealed class LateReportClusterFixture() : ServeClusterFixture(1)
{
    protected override void ConfigureSilo(ISiloBuilder silo) => silo.AddIncomingGrainCallFilter<LateReportFilter>();

    protected override void ConfigureServe(ServeOptions options)
    {
        options.ControllerReconcilePeriod = TimeSpan.FromHours(1);
        options.LongPollTimeout = TimeSpan.FromSeconds(1);
    }

    public override async Task DisposeAsync()
    {
        LateReportFilter.Armed = null;
        await base.DisposeAsync();
    }
}
