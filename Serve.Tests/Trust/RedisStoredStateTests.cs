using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Tests.Cluster;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;
using StackExchange.Redis;

namespace Serve.Tests.Trust;

/// <summary>What a Redis-mode silo writes to Redis for the controller and its deployments: no type names.</summary>
public sealed class RedisStoredStateTests
{
    [Fact]
    public async Task RunAsync_RedisMode_StoredStateCarriesNoTypeNames()
    {
        await using var redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        var clusterId = $"stored-{Guid.NewGuid():N}";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Cluster:Mode"] = "Redis",
            ["Serve:Cluster:RedisConnectionString"] = redis.ConnectionString,
            ["Serve:Cluster:ClusterId"] = clusterId,
            ["Serve:Cluster:ServiceId"] = clusterId,
            ["Serve:Cluster:SiloPort"] = FreePorts.Take(1)[0].ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:GatewayPort"] = "0",
            ["Serve:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Serve:Cluster:AllowInsecure"] = "true",
        });
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServe(TestDeployments.Register));
        using var host = builder.Build();
        await host.StartAsync();
        var serve = host.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<Greeter>().Bind("Hello"), "stored", null);

        var payloads = await StoredPayloadsAsync(redis.ConnectionString);

        Assert.Contains(payloads, p => p.Contains("\"Applications\"", StringComparison.Ordinal));
        Assert.Contains(payloads, p => p.Contains("\"Replicas\"", StringComparison.Ordinal));
        Assert.All(payloads, p => Assert.DoesNotContain("$type", p, StringComparison.Ordinal));
        await serve.DeleteAsync("stored");
        await host.StopAsync();
    }

    /// <summary>The <c>data</c> field of every grain state hash in Redis.</summary>
    private static async Task<List<string>> StoredPayloadsAsync(string connectionString)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var database = connection.GetDatabase();
        var payloads = new List<string>();
        await foreach (var key in server.KeysAsync())
        {
            if (await database.KeyTypeAsync(key) == RedisType.Hash && await database.HashGetAsync(key, "data") is { HasValue: true } data && data.ToString().Length > 0)
            {
                payloads.Add(data.ToString());
            }
        }
        return payloads;
    }
}
