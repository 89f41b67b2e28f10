using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Placement;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

/// <summary>
/// The controller's reconcile pass on a silo that has begun its graceful stop: a whole cluster stopped at once
/// re-activated the controller on a stopping worker, whose first pass failed for every deployment as the silos went
/// away under its calls, and each failure was a Warning. Here a grain call filter fails the pass's calls as a stopping
/// silo does, before and after the silo's ledger says it stops.
/// </summary>
public sealed class ControllerStoppingSiloTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReapplyAllAsync_EnsureFailsBeforeAndAfterTheSiloBeganStopping_WarningThenDebug()
    {
        var recorder = new RecordingLoggerFactory();
        var failing = false;
        var builder = ServeClusterFixture.CreateBuilder(1, LogLevel.Debug);
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(recorder));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddIncomingGrainCallFilter(context =>
                Volatile.Read(ref failing) && context.InterfaceMethod?.Name == nameof(IDeploymentGrain.EnsureAsync)
                    ? throw new SiloUnavailableException("The target silo became unavailable for message: EnsureAsync")
                    : context.Invoke());
            silo.AddServe(o =>
            {
                o.ControllerReconcilePeriod = TimeSpan.FromMilliseconds(100);
                TestDeployments.Register(o);
            });
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var silo = cluster.Silos[0].ServiceProvider;
        await silo.GetRequiredService<IServeClient>().RunAsync(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 1 }).Bind("hello"), "stopping", null);

        Volatile.Write(ref failing, true);
        await Poll.UntilAsync(() => ReapplyFailures(recorder).Any(), Patience);
        Assert.All(ReapplyFailures(recorder), f => Assert.Equal(LogLevel.Warning, f.Level));

        silo.GetRequiredService<SiloResourceLedger>().BeginStopping();
        var before = ReapplyFailures(recorder).Count();
        await Poll.UntilAsync(() => ReapplyFailures(recorder).Count() > before + 1, Patience);

        // The failures of the passes once the silo stops: those under way as it began may have said it already.
        var afterwards = ReapplyFailures(recorder).Skip(before + 1).ToList();
        Assert.All(afterwards, f => Assert.Equal(LogLevel.Debug, f.Level));
        Assert.All(afterwards, f => Assert.Contains("failed as this silo stops", f.Message, StringComparison.Ordinal));
        Volatile.Write(ref failing, false);
    }

    private static IEnumerable<(LogLevel Level, string Message)> ReapplyFailures(RecordingLoggerFactory recorder) =>
        recorder.Entries.Where(e => e.Id.Id == ServeEvents.DeploymentFailed && e.Category.EndsWith(".ControllerGrain", StringComparison.Ordinal))
            .Select(e => (e.Level, e.Message));
}
