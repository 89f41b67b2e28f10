using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serve.Dashboard;
using Serve.Diagnostics;
using Serve.Hosting;

namespace Serve.Tests.Dashboard;

/// <summary>The recorder against the gateway's real histogram, on a fake clock; no cluster (the status watch is not started).</summary>
public sealed class TrafficRecorderTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(2_000_000_000));
    private readonly ServiceProvider _mine = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ServiceProvider _other = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose()
    {
        _mine.Dispose();
        _other.Dispose();
    }

    private TrafficRecorder Recorder(bool dashboard = true) => new(
        _mine.GetRequiredService<IMeterFactory>(), _time,
        Options.Create(new ServeAdminOptions { Dashboard = dashboard }));

    private static GatewayMetrics Metrics(ServiceProvider host) => new(host.GetRequiredService<IMeterFactory>());

    [Fact]
    public void CloseInterval_AfterRequests_OnePointOfThisHostsRequestsOnly()
    {
        using var recorder = Recorder();
        var metrics = Metrics(_mine);
        var otherHost = Metrics(_other);
        recorder.StartListening();

        metrics.RequestAnswered("app", "/", "GET", 200, TimeSpan.FromMilliseconds(10));
        metrics.RequestAnswered("app", "/", "POST", 200, TimeSpan.FromMilliseconds(20));
        metrics.RequestAnswered("app", "/", "GET", 503, TimeSpan.FromMilliseconds(30));
        // Another gateway in the same process (tests, an app hosting two): its requests are not this dashboard's.
        for (var i = 0; i < 5; i++)
        {
            otherHost.RequestAnswered("app", "/", "GET", 500, TimeSpan.FromSeconds(1));
        }
        _time.Advance(TrafficRecorder.Interval);
        recorder.CloseInterval();
        recorder.CloseInterval();

        Assert.Equal(
            [new TrafficPoint(2_000_000_001, 3, 1, 0.020, 0.030, 0, 0), new TrafficPoint(2_000_000_001, 0, 0, null, null, 0, 0)],
            recorder.History.Snapshot());
    }

    [Fact]
    public async Task StartAsync_DashboardOff_RecordsNothing()
    {
        using var recorder = Recorder(dashboard: false);
        var metrics = Metrics(_mine);
        await recorder.StartAsync(CancellationToken.None);

        metrics.RequestAnswered("app", "/", "GET", 200, TimeSpan.FromMilliseconds(10));
        recorder.CloseInterval();

        Assert.Equal(0, Assert.Single(recorder.History.Snapshot()).Requests);
        await recorder.StopAsync(CancellationToken.None);
    }
}
