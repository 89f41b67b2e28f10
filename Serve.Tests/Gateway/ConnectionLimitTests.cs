using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Admin;
using Serve.Hosting;
using Serve.Tests.Exchange;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>A stranger who fills the gateway's HTTP port with connections, then keeps connecting.</summary>
public sealed class ConnectionLimitTests
{
    private const int MaxConnections = 4;

    [Fact]
    public async Task Connect_PastMaxConnections_ClosedWithOneWarningAndTheAdminApiStillServes()
    {
        var (started, log) = await TestGateway.StartRecordingAsync("connection-limit-tests",
            o => (o.Port, o.MaxConnections) = (0, MaxConnections), services => services.AddServeAdmin(o => o.Port = 0));
        await using var gateway = started;
        var admin = gateway.Services.GetRequiredService<AdminListener>().Address!;
        var http = gateway.ListeningAddresses().Single(a => a.Port != admin.Port);
        List<Socket> held = [];
        try
        {
            // Each answered, so each holds its place before the rest arrive.
            for (var i = 0; i < MaxConnections; i++)
            {
                held.Add(await RawHttpConnection.OpenAsync(http));
                Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.GetStatusLineAsync(held[^1], "/-/healthz"));
            }

            for (var i = 0; i < 20; i++)
            {
                Assert.Null(await RawHttpConnection.TryGetAsync(http, "/-/healthz"));
            }

            // One warning, not one per refused connection as Kestrel's own limit writes.
            var warning = Assert.Single(log.Records, r => r.Level >= LogLevel.Warning
                && (r.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) || r.Id.Id is ServeEvents.HttpConnectionRefused or ServeEvents.HttpConnectionRefusedSummary));
            Assert.Equal(ServeEvents.HttpConnectionRefused, warning.Id.Id);
            Assert.Contains($"the gateway's HTTP port 127.0.0.1:{http.Port} from 127.0.0.1:", warning.Message, StringComparison.Ordinal);
            Assert.Contains($"it holds {MaxConnections} connections already, its bound (Serve:Http:MaxConnections)", warning.Message, StringComparison.Ordinal);
            Assert.Equal("HTTP/1.1 200 OK", await RawHttpConnection.TryGetAsync(admin, "/api/serve/applications"));

            // One held connection goes: the port has room again.
            held[0].Dispose();
            using var deadline = new CancellationTokenSource(ExchangeTestWaits.Patience);
            string? answer;
            do
            {
                await Task.Delay(10, deadline.Token);
                answer = await RawHttpConnection.TryGetAsync(http, "/-/healthz");
            }
            while (answer is null);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            await gateway.StopAsync();
        }
    }

    [Fact]
    public async Task Connect_OpenFileLimitBelowEveryPortFull_PortBoundToItsShareWithOneWarningAtStart()
    {
        // 60 files: 30 kept for the rest of the process, 10 for each of the HTTP, HTTP/2 and admin ports, whatever
        // Serve:Http:MaxConnections says (10,000 by default). Before, a flood of two ports took every file of the process.
        const int share = 10;
        var (started, log) = await TestGateway.StartRecordingAsync("connection-limit-tests", o => o.Port = 0,
            services => services.AddServeAdmin(o => o.Port = 0).AddSingleton(new OpenFileLimit(60)));
        await using var gateway = started;
        var admin = gateway.Services.GetRequiredService<AdminListener>().Address!;
        var http = gateway.ListeningAddresses().Single(a => a.Port != admin.Port);
        List<Socket> held = [];
        try
        {
            var fitted = Assert.Single(log.Records, r => r.Id.Id == ServeEvents.HttpConnectionsFitOpenFiles);
            Assert.Equal(LogLevel.Warning, fitted.Level);
            Assert.Contains($"holds at most {share} connections, not Serve:Http:MaxConnections' 10000: this process may open 60 files (ulimit -n)", fitted.Message, StringComparison.Ordinal);

            for (var i = 0; i < share; i++)
            {
                held.Add(await RawHttpConnection.OpenAsync(http));
                Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.GetStatusLineAsync(held[^1], "/-/healthz"));
            }

            Assert.Null(await RawHttpConnection.TryGetAsync(http, "/-/healthz"));
            var refused = Assert.Single(log.Records, r => r.Id.Id == ServeEvents.HttpConnectionRefused);
            Assert.Contains($"it holds {share} connections already", refused.Message, StringComparison.Ordinal);
            Assert.Equal("HTTP/1.1 200 OK", await RawHttpConnection.TryGetAsync(admin, "/api/serve/applications"));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            await gateway.StopAsync();
        }
    }

    [Fact]
    public async Task Connect_PastMaxConnectionsPerAddress_ClosedWhileAnotherAddressIsServed()
    {
        var (started, log) = await TestGateway.StartRecordingAsync("connection-limit-tests", o => (o.Port, o.MaxConnectionsPerAddress) = (0, 2));
        await using var gateway = started;
        var http = gateway.ListeningAddresses().Single();
        var stranger = IPAddress.Parse("127.0.0.2");
        List<Socket> held = [];
        try
        {
            for (var i = 0; i < 2; i++)
            {
                held.Add(await RawHttpConnection.OpenAsync(http, stranger));
                Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.GetStatusLineAsync(held[^1], "/-/healthz"));
            }

            Assert.Null(await RawHttpConnection.TryGetAsync(http, "/-/healthz", stranger));
            Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.TryGetAsync(http, "/-/healthz", IPAddress.Loopback));

            var warning = Assert.Single(log.Records, r => r.Level >= LogLevel.Warning && r.Id.Id == ServeEvents.HttpConnectionRefused);
            Assert.Contains("from 127.0.0.2:", warning.Message, StringComparison.Ordinal);
            Assert.Contains("it holds 2 connections from 127.0.0.2 already, its bound per address (Serve:Http:MaxConnectionsPerAddress)", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            await gateway.StopAsync();
        }
    }
}
