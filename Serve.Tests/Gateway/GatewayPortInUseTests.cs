using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>
/// A gateway whose HTTP or admin port another process listens on (another Serve, a dev server on 8000) does not start,
/// and says which setting to change: Kestrel alone says "address already in use" and names no setting.
/// </summary>
public sealed class GatewayPortInUseTests
{
    [Theory]
    [InlineData("Serve:Http:Port")]
    [InlineData("Serve:Admin:Port")]
    public async Task StartAsync_PortTaken_FailsNamingTheSettingAndThePort(string setting)
    {
        var ports = FreePorts.Take(3);
        using var other = new TcpListener(IPAddress.Loopback, ports[0]);
        other.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Serve:Http:Port"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["Serve:Admin:Port"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:ClusterId"] = $"port-in-use-{Guid.NewGuid():N}",
            ["Serve:Memory:SetMmapThreshold"] = "false",
        };
        settings[setting] = ports[0].ToString(CultureInfo.InvariantCulture);
        var builder = ServeHost.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        await using var app = builder.Build();
        app.MapServe();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(timeout.Token));

        Assert.Contains($"{setting}: port {ports[0]} on 127.0.0.1 is already in use", error.Message);
    }
}
