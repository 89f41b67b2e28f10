using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Serve.Cluster;
using Serve.Exchange;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

/// <summary>The log lines refused cluster certificates cost, on a fake clock: a warning, then one summary a minute.</summary>
public sealed class ClusterTlsRefusalsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLoggerFactory _log = new();

    [Fact]
    public void Refused_ManyInAMinute_OneWarningThenOneSummaryEachAtDebug()
    {
        using var refusals = new ClusterTlsRefusals(_time, _log);

        for (var i = 0; i < 50; i++)
        {
            refusals.Refused($"'CN=intruder-{i}' does not chain to the cluster's CA");
        }

        var warning = Assert.Single(Lines());
        Assert.Equal(ServeEvents.ClusterPeerRefused, warning.Id.Id);
        // Not a connection it watched (as one this silo opens): no peer to name.
        Assert.Equal("Refused a cluster connection from ?: the peer's certificate 'CN=intruder-0' does not chain to the cluster's CA (further refusals: one summary every 60 s while they go on)", warning.Message);
        Assert.Equal("Serve.Cluster.ClusterTls", warning.Category);
        Assert.Equal(49, _log.Records.Count(r => r.Id.Id == ServeEvents.ClusterPeerRefusedAgain && r.Level == LogLevel.Debug));

        _time.Advance(ExchangeRefusalLog.DefaultInterval);

        Assert.Equal(2, Lines().Count);
        var summary = Assert.Single(_log.Records, r => r.Id.Id == ServeEvents.ClusterPeerRefusedSummary);
        Assert.Equal("Refused 49 more cluster connection(s) in the last 60 s at their TLS handshake; the last from ?: the peer's certificate 'CN=intruder-49' does not chain to the cluster's CA", summary.Message);
        _time.Advance(ExchangeRefusalLog.DefaultInterval);
        Assert.Equal(2, Lines().Count);
        Assert.Equal(50, refusals.Total);
    }

    [Fact]
    public void Dispose_WithRefusalsFolded_WritesTheirSummary()
    {
        var refusals = new ClusterTlsRefusals(_time, _log);
        refusals.Refused("is missing: the peer sent no certificate");
        refusals.Refused("is missing: the peer sent no certificate");

        refusals.Dispose();

        Assert.Contains(_log.Records, r => r.Id.Id == ServeEvents.ClusterPeerRefusedSummary && r.Message.StartsWith("Refused 1 more cluster connection(s)", StringComparison.Ordinal));
    }

    private List<(string Category, LogLevel Level, EventId Id, string Message)> Lines() => [.. _log.Records.Where(r => r.Level >= LogLevel.Information)];
}
