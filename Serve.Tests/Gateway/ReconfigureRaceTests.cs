using System.Collections.Concurrent;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>
/// A redeploy that changes only the user config reconfigures the running instances in place, as a piece of each replica's
/// turns: while calls (by handle, direct or through Orleans) and HTTP exchanges (through the gateway) are in flight on the
/// same replicas, it never runs at once with their synchronous parts, none of them fails, and those that start after it
/// ended see the new config.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ReconfigureRaceTests(GatewayFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReconfigureAsync_CallsAndExchangesInFlight_NeverOverlapsThemAndLaterCallsSeeTheNewConfig()
    {
        const int AfterBoth = 40;
        var handle = await fixture.Serve.RunAsync<IRacingConfigured>(Racing("first"), "racing", "/racing");
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/racing") == "racing");
        var instances = RacingConfigured.Applied.Where(p => p.Value == "first").Select(p => p.Key).ToHashSet();
        Assert.Equal(2, instances.Count);

        // Callers by handle (from the gateway's silo: direct to the replica there, through Orleans to the other) and over
        // HTTP, each one call after another until told to stop. Each notes which instances had ended their reconfiguration
        // before its call began.
        var answers = new ConcurrentQueue<(HashSet<string> Reconfigured, string Answer)>();
        using var stop = new CancellationTokenSource();
        var handles = Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoadAsync(() => handle.Remote.GreetAsync())));
        var exchanges = Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoadAsync(() => fixture.Http.GetStringAsync("/racing"))));
        var callers = handles.Concat(exchanges).ToList();

        await UntilAsync(() => answers.Count >= 40);
        await fixture.Serve.RunAsync<IRacingConfigured>(Racing("second"), "racing", "/racing").WaitAsync(Patience);
        await UntilAsync(() => instances.All(i => RacingConfigured.Applied.GetValueOrDefault(i) == "second"));
        await UntilAsync(() => answers.Count(a => a.Reconfigured.Count == 2) >= AfterBoth);
        await stop.CancelAsync();
        // A caller's failure (a lost call, an error answer) ends it with that failure.
        await Task.WhenAll(callers).WaitAsync(Patience);

        var replies = answers.Select(a => (a.Reconfigured, Instance: a.Answer.Split('|')[0], Greeting: a.Answer.Split('|')[1])).ToList();
        Assert.All(replies, r => Assert.Contains(r.Instance, instances));
        Assert.All(instances, i => Assert.Equal(0, RacingConfigured.Overlaps.GetValueOrDefault(i)));
        Assert.All(replies.Where(r => r.Reconfigured.Contains(r.Instance)), r => Assert.Equal("second", r.Greeting));
        Assert.Contains(replies, r => r.Greeting == "first");
        // The race took place: a reconfiguration came in while calls were in flight on its replica.
        Assert.True(instances.Max(i => RacingConfigured.InFlightAtReconfigure.GetValueOrDefault(i)) > 0, "No reconfiguration found a call in flight.");
        await fixture.Serve.DeleteAsync("racing");

        async Task LoadAsync(Func<Task<string>> call)
        {
            while (!stop.IsCancellationRequested)
            {
                var reconfigured = RacingConfigured.Applied.Where(p => p.Value == "second").Select(p => p.Key).ToHashSet();
                answers.Enqueue((reconfigured, await call()));
            }
        }
    }

    private static BoundDeployment Racing(string greeting) =>
        Deployment.For<RacingConfigured>().Options(o => o.WithUserConfig(new { greeting })).Bind();

    private static Task UntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience);
}
