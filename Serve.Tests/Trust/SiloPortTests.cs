using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

/// <summary>A silo whose port another process listens on refuses to start and names the port.</summary>
public sealed class SiloPortTests
{
    [Theory]
    [InlineData("SiloPort")]
    [InlineData("GatewayPort")]
    public async Task StartAsync_PortHeldByListenerThatSharesPorts_RefusesNamingThePort(string setting)
    {
        var ports = FreePorts.Take(2);
        var held = setting == "SiloPort" ? ports[0] : ports[1];
        // Bound as Orleans binds its own listeners (address reuse, which on Linux shares the port): another silo.
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        other.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        other.Bind(new IPEndPoint(IPAddress.Loopback, held));
        other.Listen();
        using var silo = BuildEmbeddedSilo(ports[0], ports[1]);

        var error = await Record.ExceptionAsync(() => silo.StartAsync());

        var taken = SiloPortInUseException.Find(error);
        Assert.NotNull(taken);
        Assert.Contains($"Serve:Cluster:{setting}: port {held} on 127.0.0.1 is already in use", taken.Message);
    }

    [Fact]
    public async Task StartAsync_FreePorts_Starts()
    {
        var ports = FreePorts.Take(2);
        using var silo = BuildEmbeddedSilo(ports[0], ports[1]);

        await silo.StartAsync();

        Assert.True(PortProbe.IsTaken(new IPEndPoint(IPAddress.Loopback, ports[0])));
        await silo.StopAsync();
    }

    private static IHost BuildEmbeddedSilo(int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Cluster:ClusterId"] = $"ports-{Guid.NewGuid():N}",
            ["Serve:Cluster:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
        });
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServe());
        return builder.Build();
    }
}
