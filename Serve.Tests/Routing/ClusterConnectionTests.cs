using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serve.Hosting;

namespace Serve.Tests.Routing;

/// <summary>The connection as Orleans' client drives it: its lifecycle's Active stage, then its gateway notifications.</summary>
public sealed class ClusterConnectionTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 18, 0, 0, TimeSpan.Zero));
    private readonly ClusterConnection _connection;

    public ClusterConnectionTests() => _connection = new ClusterConnection(_time, NullLogger<ClusterConnection>.Instance);

    private IClusterConnectionStatusObserver Orleans => _connection;

    private void Connect()
    {
        Orleans.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        _connection.ClientStarted();
    }

    [Fact]
    public void NotifyClusterConnectionLost_CallAdmittedBefore_ItsTokenIsCancelled()
    {
        Connect();
        Assert.Equal(ClusterCallVerdict.SendUntilLost, _connection.Admit(waitForReady: false, out var lost));

        Orleans.NotifyClusterConnectionLost();
        Orleans.NotifyGatewayCountChanged(0, 1, connectionRecovered: false);

        Assert.True(lost.IsCancellationRequested);
    }

    [Fact]
    public void Unreachable_LostThreeSecondsAgo_SaysWhenAndHowLong()
    {
        Connect();
        var lostAt = _time.GetUtcNow();
        Orleans.NotifyClusterConnectionLost();
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(ClusterCallVerdict.Refuse, _connection.Admit(waitForReady: false, out _));
        var error = _connection.Unreachable("app/D", mayHaveRun: false);

        Assert.Equal("app/D", error.Deployment);
        Assert.Equal(lostAt, error.LostAt);
        Assert.Equal(TimeSpan.FromSeconds(3), error.UnreachableFor);
        Assert.Contains("for 3.0 s", error.Message);
        Assert.Contains("WaitForReady", error.Message);
    }

    [Fact]
    public void NotifyGatewayCountChanged_OneAfterALoss_ReconnectedAndCallsAdmittedWithAFreshToken()
    {
        Connect();
        Orleans.NotifyClusterConnectionLost();
        var reconnected = 0;
        _connection.Reconnected += () => reconnected++;

        Orleans.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);

        Assert.Equal(1, reconnected);
        Assert.Equal(ClusterCallVerdict.SendUntilLost, _connection.Admit(waitForReady: false, out var lost));
        Assert.False(lost.IsCancellationRequested);
    }

    [Fact]
    public void Admit_BeforeTheClientStarted_NotRefusedWhateverTheGatewayCount()
    {
        Orleans.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        Orleans.NotifyGatewayCountChanged(0, 1, connectionRecovered: false);

        Assert.Equal(ClusterCallVerdict.SendUntilLost, _connection.Admit(waitForReady: false, out var lost));
        Assert.False(lost.IsCancellationRequested);
        Assert.False(_connection.Connected.IsCompleted);
    }
}
