using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Cluster;

/// <summary>
/// An external client (<c>client.UseServeCluster</c>) that cannot reach its cluster: its start fails once
/// <c>Serve:Cluster:ClientConnectTimeout</c> has passed, naming where it looked and the fix, instead of retrying for ever.
/// </summary>
public sealed class ClientConnectTests
{
    private static IHost BuildClient(Dictionary<string, string?> settings, Action<IClientBuilder>? before = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client =>
        {
            before?.Invoke(client);
            client.UseServeCluster(builder.Configuration).AddServeClient();
        });
        return builder.Build();
    }

    [Fact]
    public async Task StartAsync_NoSiloOnTheEmbeddedClientPort_FailsNamingThePortAndTheFix()
    {
        // A port nothing listens on: the embedded silo a new user started without a client port.
        var port = FreePorts.Take(1)[0];
        using var host = BuildClient(new()
        {
            ["Serve:Cluster:GatewayPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serve:Cluster:ClientConnectTimeout"] = "00:00:01",
        });

        // The deadline only keeps a regression (retrying for ever) from hanging the run.
        var error = await Assert.ThrowsAsync<ServeException>(() => host.StartAsync().WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Contains($"No Serve silo answered at 127.0.0.1:{port} (Serve:Cluster:GatewayPort) within 1 s (Serve:Cluster:ClientConnectTimeout)", error.Message);
        Assert.Contains($"serve run --client-port {port}", error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void UseServeCluster_RetryFilter_ServesUnlessTheProgramRegisteredItsOwn(bool ownBefore, bool ownAfter)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serve:Cluster:GatewayPort"] = "30000" });
        builder.UseOrleansClient(client =>
        {
            if (ownBefore)
            {
                client.UseConnectionRetryFilter<OwnRetryFilter>();
            }
            client.UseServeCluster(builder.Configuration).AddServeClient();
            if (ownAfter)
            {
                client.UseConnectionRetryFilter<OwnRetryFilter>();
            }
        });
        using var host = builder.Build();

        var filter = host.Services.GetRequiredService<IClientConnectionRetryFilter>();

        Assert.Equal(ownBefore || ownAfter ? "OwnRetryFilter" : "ClusterConnectRetry", filter.GetType().Name);
    }

    private sealed class OwnRetryFilter : IClientConnectionRetryFilter
    {
        public Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    [Fact]
    public async Task StartAsync_ClientConnectTimeoutNotPositive_RefusesToStartNamingTheSetting()
    {
        using var host = BuildClient(new() { ["Serve:Cluster:GatewayPort"] = "30000", ["Serve:Cluster:ClientConnectTimeout"] = "00:00:00" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("Serve:Cluster:ClientConnectTimeout: 00:00:00 must be positive, e.g. 00:00:30.", Assert.Single(error.Failures));
    }
}
