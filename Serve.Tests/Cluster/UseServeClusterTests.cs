using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.GrainDirectory;
using Orleans.Storage;
using Serve.Cluster;
using Serve.Hosting;

namespace Serve.Tests.Cluster;

/// <summary>What <c>UseServeCluster</c> registers, checked on a built (never started) host.</summary>
public sealed class UseServeClusterTests
{
    private static readonly Dictionary<string, string?> RedisSettings = new()
    {
        ["Serve:Cluster:Mode"] = "Redis",
        ["Serve:Cluster:RedisConnectionString"] = "127.0.0.1:1",
        ["Serve:Cluster:ClusterId"] = "c1",
        ["Serve:Cluster:ServiceId"] = "s1",
        ["Serve:Cluster:SiloPort"] = "21111",
        ["Serve:Cluster:GatewayPort"] = "0",
        ["Serve:Cluster:AdvertisedAddress"] = "127.0.0.1",
        ["Serve:Cluster:Liveness"] = "Fast",
        ["Serve:Cluster:AllowInsecure"] = "true",
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UseServeCluster_RedisMode_ServeStorageIsRedisWhetherAddServeComesBeforeOrAfter(bool addServeFirst)
    {
        using var host = BuildSilo(RedisSettings, silo => silo.AddServe(), addServeFirst);

        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(ServeOptions.StorageName);

        Assert.Equal("RedisGrainStorage", storage.GetType().Name);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UseServeCluster_EmbeddedMode_ServeStorageIsInMemory(bool addServeFirst)
    {
        using var host = BuildSilo([], silo => silo.AddServe(), addServeFirst);

        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(ServeOptions.StorageName);

        Assert.Equal("MemoryGrainStorage", storage.GetType().Name);
    }

    [Fact]
    public void UseServeCluster_RedisModeFastLiveness_AppliesIdsPortsAddressAndProbeSettings()
    {
        using var host = BuildSilo(RedisSettings, silo => silo.AddServe(), addServeFirst: false);

        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var membership = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;

        Assert.Equal(("c1", "s1"), (cluster.ClusterId, cluster.ServiceId));
        Assert.Equal((21111, 0, "127.0.0.1"), (endpoints.SiloPort, endpoints.GatewayPort, endpoints.AdvertisedIPAddress?.ToString()));
        Assert.Equal((TimeSpan.FromSeconds(1), 2), (membership.ProbeTimeout, membership.NumMissedProbesLimit));
    }

    [Fact]
    public async Task UseServeCluster_InvalidSettings_HostFailsToStartListingEveryError()
    {
        var settings = new Dictionary<string, string?>(RedisSettings) { ["Serve:Cluster:RedisConnectionString"] = "", ["Serve:Cluster:SiloPort"] = "0" };
        using var host = BuildSilo(settings, silo => silo.AddServe(), addServeFirst: false);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public async Task UseServeCluster_RedisModeWithoutTlsOrAllowInsecure_RefusesToStartNamingTheSetting()
    {
        var settings = new Dictionary<string, string?>(RedisSettings) { ["Serve:Cluster:AllowInsecure"] = null };
        using var host = BuildSilo(settings, silo => silo.AddServe(), addServeFirst: false);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var failure = Assert.Single(error.Failures);
        Assert.Contains("Serve:Cluster:Tls is not set", failure);
        Assert.Contains("Serve:Cluster:AllowInsecure", failure);
    }

    [Fact]
    public void UseServeCluster_EmbeddedModeDefaults_ListensOnLoopbackWithNoClientPort()
    {
        using var host = BuildSilo([], silo => silo.AddServe(), addServeFirst: false);

        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

        Assert.Equal(System.Net.IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Null(endpoints.SiloListeningEndpoint);
        Assert.Null(endpoints.GatewayListeningEndpoint);
        Assert.Equal(0, endpoints.GatewayPort);
    }

    [Fact]
    public void UseServeCluster_EmbeddedModeWithGatewayPort_OpensThatPortOnLoopback()
    {
        using var host = BuildSilo(new() { ["Serve:Cluster:GatewayPort"] = "31234" }, silo => silo.AddServe(), addServeFirst: false);

        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

        Assert.Equal((System.Net.IPAddress.Loopback, 31234), (endpoints.AdvertisedIPAddress, endpoints.GatewayPort));
    }

    [Fact]
    public void UseServeCluster_RoutingSection_BindsServeRoutingOptions()
    {
        using var defaults = BuildSilo([], silo => silo.AddServe(), addServeFirst: false);
        using var configured = BuildSilo(
            new() { ["Serve:Routing:PreferLocalReplicas"] = "false", ["Serve:Routing:ModelAwareRouting"] = "false" }, silo => silo.AddServe(), addServeFirst: false);

        var before = defaults.Services.GetRequiredService<IOptions<ServeRoutingOptions>>().Value;
        var after = configured.Services.GetRequiredService<IOptions<ServeRoutingOptions>>().Value;

        Assert.Equal((true, true), (before.PreferLocalReplicas, before.ModelAwareRouting));
        Assert.Equal((false, false), (after.PreferLocalReplicas, after.ModelAwareRouting));
    }

    [Fact]
    public void UseServeCluster_RedisModeWithoutGatewayPort_OpensTheDefaultClientPort()
    {
        var settings = new Dictionary<string, string?>(RedisSettings) { ["Serve:Cluster:GatewayPort"] = null };
        using var host = BuildSilo(settings, silo => silo.AddServe(), addServeFirst: false);

        Assert.Equal(30000, host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.GatewayPort);
    }

    [Fact]
    public void UseServeCluster_FastLiveness_ServeGrainDirectoryHoldsADeadSilosGrainsOneTableRefreshAfterItsDeath()
    {
        using var host = BuildSilo(RedisSettings, silo => silo.AddServe(), addServeFirst: false);

        var membership = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        var directory = host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;

        // Orleans holds for the lease less the detection window (probes × their longest timeout) after the declaration.
        Assert.Equal(membership.TableRefreshTimeout, directory.RangeLeaseDuration - membership.MaxProbeTimeout * membership.NumMissedProbesLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.TableRefreshTimeout);
    }

    [Fact]
    public void UseServeCluster_DefaultLiveness_KeepsOrleansDirectoryLease()
    {
        using var host = BuildSilo(new(RedisSettings) { ["Serve:Cluster:Liveness"] = "Default" }, silo => silo.AddServe(), addServeFirst: false);

        Assert.Equal(new GrainDirectoryOptions().RangeLeaseDuration, host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.RangeLeaseDuration);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddServe_ServeGrainDirectory_IsOrleansDistributedDirectoryUnderItsOwnName(bool addServeFirst)
    {
        using var host = BuildSilo(RedisSettings, silo => silo.AddServe(), addServeFirst);

        var directory = host.Services.GetRequiredKeyedService<IGrainDirectory>(ServeGrainDirectory.Name);

        Assert.Equal("DistributedGrainDirectory", directory.GetType().Name);
        Assert.Null(host.Services.GetKeyedService<IGrainDirectory>(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY));
    }

    [Fact]
    public void AddServe_DistributedDirectoryAlreadyTheDefault_NamesThatOneDirectoryWhichJoinsTheLifecycleOnce()
    {
#pragma warning disable ORLEANSEXP003 // What a silo does to put every grain on the distributed directory (Orleans' TestClusterBuilder does it too).
        using var host = BuildSilo(RedisSettings, silo => silo.AddDistributedGrainDirectory().AddServe(), addServeFirst: false);
#pragma warning restore ORLEANSEXP003

        var named = host.Services.GetRequiredKeyedService<IGrainDirectory>(ServeGrainDirectory.Name);

        Assert.Same(host.Services.GetRequiredKeyedService<IGrainDirectory>(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY), named);
        Assert.Single(host.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>(), p => ReferenceEquals(p, named));
    }

    [Fact]
    public void UseServeCluster_ClientInRedisModeFastLiveness_RefreshesGatewaysOften()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(RedisSettings);
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var host = builder.Build();

        var gateways = host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), gateways.GatewayListRefreshPeriod);
        Assert.Equal("c1", host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public void UseServeCluster_ClientInRedisMode_SendsHandleCallsOverTheDataPlaneUnlessTurnedOff(string? clientDataPlane, bool expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>(RedisSettings);
        if (clientDataPlane is not null)
        {
            settings["Serve:Cluster:ClientDataPlane"] = clientDataPlane;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var host = builder.Build();

        Assert.Equal(expected, host.Services.GetService<Serve.Exchange.ExchangeClient>() is not null);
    }

    [Theory]
    [InlineData(null, 100 * 1024 * 1024)]
    [InlineData("8192", 8192)]
    public void UseServeCluster_ClientInRedisMode_DataPlaneFramesBoundedByItsOwnSetting(string? maxFrameBytes, int expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>(RedisSettings);
        if (maxFrameBytes is not null)
        {
            settings["Serve:Cluster:ExchangeMaxFrameBytes"] = maxFrameBytes;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var host = builder.Build();

        var limits = host.Services.GetRequiredService<Serve.Exchange.ExchangeClient>().Limits;

        Assert.Equal((expected, "Serve:Cluster:ExchangeMaxFrameBytes"), (limits.MaxFrameBytes, limits.FrameSetting));
    }

    [Fact]
    public async Task UseServeCluster_ClientFrameLimitBelowMinimum_RefusesToStartNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(RedisSettings) { ["Serve:Cluster:ExchangeMaxFrameBytes"] = "100" });
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("Serve:Cluster:ExchangeMaxFrameBytes: 100 must be at least 4096 bytes.", Assert.Single(error.Failures));
    }

    private static IHost BuildSilo(Dictionary<string, string?> settings, Action<ISiloBuilder> addServe, bool addServeFirst)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo =>
        {
            if (addServeFirst)
            {
                addServe(silo);
            }
            silo.UseServeCluster(builder.Configuration);
            if (!addServeFirst)
            {
                addServe(silo);
            }
        });
        return builder.Build();
    }
}
