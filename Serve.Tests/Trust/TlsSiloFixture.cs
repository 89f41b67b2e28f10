using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

/// <summary>
/// A real embedded silo in this process with mutual TLS on (a CA and certificate made for the run) and an Orleans
/// client port, as <c>silo.UseServeCluster(configuration)</c> sets it up from <c>Serve:Cluster</c>.
/// </summary>
public sealed class TlsSiloFixture : IAsyncLifetime
{
    private IHost _silo = null!;

    public ClusterTlsFiles Tls { get; } = ClusterTlsFiles.Create();

    public string ClusterId { get; } = $"tls-tests-{Guid.NewGuid():N}";

    public int GatewayPort { get; private set; }

    public int SiloPort { get; private set; }

    /// <summary>What the silo logs: warnings and above, and its refused cluster certificates at every level.</summary>
    public RecordingLoggerFactory Log { get; } = new();

    public IServiceProvider Services => _silo.Services;

    /// <summary>The <c>Serve:Cluster</c> settings of this cluster, TLS included, for a client.</summary>
    public Dictionary<string, string?> ClientSettings() => new(Tls.Settings())
    {
        ["Serve:Cluster:ClusterId"] = ClusterId,
        ["Serve:Cluster:ServiceId"] = ClusterId,
        ["Serve:Cluster:GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
    };

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        SiloPort = ports[0];
        GatewayPort = ports[1];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Serve.Cluster.ClusterTls", LogLevel.Debug);
        builder.Logging.AddProvider(Log);
        builder.Configuration.AddInMemoryCollection(ClientSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serve:Cluster:SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture) });
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServe());
        _silo = builder.Build();
        await _silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _silo.StopAsync(stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _silo.Dispose();
        Tls.Dispose();
    }
}
