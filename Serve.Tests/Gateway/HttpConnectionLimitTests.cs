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
        var limit = new HttpConnectionLimit("the gateway's HTTP port", "Serve:Http:MaxConnections", 1, time, logger);
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
        Assert.StartsWith("Refused 2 more connection(s) to the gateway's HTTP port ? in the last 61 s at its bound of 1 connections (Serve:Http:MaxConnections)", logger.Records.ElementAt(3).Message, StringComparison.Ordinal);

        release.SetResult();
        await held;
        await limit.OnConnectionAsync(new DefaultConnectionContext("after"), next);
        Assert.Equal((2, 0L, 4L), (served, limit.Open, limit.Refused));
    }
}
