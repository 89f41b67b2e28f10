using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Serve.Hosting;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

public sealed class HttpConnectionLimitTests
{
    [Fact]
    public async Task OnConnectionAsync_PastTheBound_RefusesWithOneWarningThenOneSummaryAMinute()
    {
        var time = new FakeTimeProvider();
        var logger = new RecordingLogger<HttpConnectionLimit>();
        var limit = new HttpConnectionLimit("the gateway's HTTP port", "Serve:Http:", 1, null, time, logger);
        var release = new TaskCompletionSource();
        var served = 0;
        ConnectionDelegate next = async _ =>
        {
            served++;
            await release.Task;
        };

        var held = limit.OnConnectionAsync(new DefaultConnectionContext("held"), next);
        for (var i = 0; i < 3; i++)
        {
            await limit.OnConnectionAsync(new DefaultConnectionContext($"refused-{i}"), next);
        }
        time.Advance(TimeSpan.FromSeconds(61));
        await limit.OnConnectionAsync(new DefaultConnectionContext("refused-later"), next);

        Assert.Equal((1, 1L, 4L), (served, limit.Open, limit.Refused));
        Assert.Equal(
            [(LogLevel.Warning, ServeEvents.HttpConnectionRefused), (LogLevel.Debug, ServeEvents.HttpConnectionRefusedAgain), (LogLevel.Debug, ServeEvents.HttpConnectionRefusedAgain),
             (LogLevel.Warning, ServeEvents.HttpConnectionRefusedSummary), (LogLevel.Debug, ServeEvents.HttpConnectionRefusedAgain)],
            logger.Records.Select(r => (r.Level, r.Id.Id)));
        Assert.Equal("Refused 2 more connection(s) to the gateway's HTTP port ? in the last 61 s; the last from ?: it holds 1 connections already, its bound (Serve:Http:MaxConnections)", logger.Records.ElementAt(3).Message);

        release.SetResult();
        await held;
        await limit.OnConnectionAsync(new DefaultConnectionContext("after"), next);
        Assert.Equal((2, 0L, 4L), (served, limit.Open, limit.Refused));
    }

    [Fact]
    public async Task OnConnectionAsync_BurstThenQuiet_SummaryWrittenWhenTheMinuteEnds()
    {
        var time = new FakeTimeProvider();
        var logger = new RecordingLogger<HttpConnectionLimit>();
        var limit = new HttpConnectionLimit("the gateway's HTTP port", "Serve:Http:", 1, null, time, logger);
        var release = new TaskCompletionSource();
        ConnectionDelegate next = _ => release.Task;
        var held = limit.OnConnectionAsync(new DefaultConnectionContext("held"), next);
        for (var i = 0; i < 5; i++)
        {
            await limit.OnConnectionAsync(new DefaultConnectionContext($"refused-{i}"), next);
        }

        time.Advance(TimeSpan.FromSeconds(59));
        var beforeTheMinute = logger.Records.Count(r => r.Id.Id == ServeEvents.HttpConnectionRefusedSummary);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, beforeTheMinute);
        var summary = Assert.Single(logger.Records, r => r.Id.Id == ServeEvents.HttpConnectionRefusedSummary);
        Assert.StartsWith("Refused 4 more connection(s) to the gateway's HTTP port ? in the last 60 s;", summary.Message, StringComparison.Ordinal);
        release.SetResult();
        await held;
    }

    [Fact]
    public async Task OnConnectionAsync_PastTheBoundPerAddress_RefusesThatAddressOrIPv6Slash64Only()
    {
        var logger = new RecordingLogger<HttpConnectionLimit>();
        var limit = new HttpConnectionLimit("the gateway's HTTP port", "Serve:Http:", null, 1, TimeProvider.System, logger);
        var release = new TaskCompletionSource();
        var served = new List<string>();
        ConnectionDelegate next = async connection =>
        {
            lock (served)
            {
                served.Add(connection.ConnectionId);
            }
            await release.Task;
        };
        Task Connect(string id, string address) =>
            limit.OnConnectionAsync(new DefaultConnectionContext(id) { RemoteEndPoint = new IPEndPoint(IPAddress.Parse(address), 40000) }, next);

        Task[] held = [Connect("a", "10.0.0.1"), Connect("b", "10.0.0.2"), Connect("c", "2001:db8:1:2::1")];
        await Connect("a-again", "10.0.0.1");
        await Connect("c-neighbour", "2001:db8:1:2::99");
        held = [.. held, Connect("d", "2001:db8:1:3::1")];

        Assert.Equal(["a", "b", "c", "d"], served);
        Assert.Equal((4L, 2L), (limit.Open, limit.Refused));
        Assert.Equal("Refused a connection to the gateway's HTTP port ? from 10.0.0.1:40000: it holds 1 connections from 10.0.0.1 already, its bound per address (Serve:Http:MaxConnectionsPerAddress) (further refusals: one summary every 60 s while they go on)", logger.Records.First().Message);
        Assert.Contains("from 2001:db8:1:2::/64 already", logger.Records.Last().Message, StringComparison.Ordinal);
        release.SetResult();
        await Task.WhenAll(held);
        await Connect("a-later", "10.0.0.1");
        Assert.Equal(["a", "b", "c", "d", "a-later"], served);
    }
}
