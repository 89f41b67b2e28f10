using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Hosting;

namespace Serve.Tests.Infrastructure;

/// <summary>The start every in-process gateway fixture shares: a silo of a cluster of its own, quiet logs, the test deployments admitted.</summary>
public static class TestGateway
{
    /// <summary>How long a gateway may take to learn its routes.</summary>
    private static readonly TimeSpan RoutingPatience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A builder for a gateway silo on <paramref name="siloPort"/> and <paramref name="clientPort"/> of a new cluster
    /// named after <paramref name="name"/>; the caller adds the gateway's options and builds it.
    /// </summary>
    public static (WebApplicationBuilder Builder, string ClusterId) CreateBuilder(string name, int siloPort, int clientPort)
    {
        var clusterId = $"{name}-{Guid.NewGuid():N}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        FileLoggerProvider.AddIfRequested(builder.Logging);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, clientPort, serviceId: clusterId, clusterId: clusterId)
            .AddServe(TestDeployments.Register));
        return (builder, clusterId);
    }

    /// <summary>A builder for a gateway silo of a new cluster named after <paramref name="name"/>, on free ports.</summary>
    public static WebApplicationBuilder CreateBuilder(string name)
    {
        var ports = FreePorts.Take(2);
        return CreateBuilder(name, ports[0], ports[1]).Builder;
    }

    /// <summary>Adds the telemetry listener (metrics and probes) on a port of its own that the system picks.</summary>
    public static void AddTelemetry(WebApplicationBuilder builder)
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serve:Telemetry:Port"] = "0" });
        builder.Services.AddServeTelemetry(builder.Configuration, []);
    }

    /// <summary>The addresses a started host's Kestrel listens on (the gateway's HTTP port first).</summary>
    public static IEnumerable<Uri> ListeningAddresses(this WebApplication host) =>
        host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a));

    /// <summary>Polls the gateway's <c>/-/healthz</c> until it answers 200, which it does once its first route table arrives.</summary>
    public static Task WaitUntilHealthyAsync(this HttpClient gateway) =>
        Poll.UntilAsync(() => gateway.GetAsync("/-/healthz"), r => r.StatusCode == HttpStatusCode.OK, RoutingPatience);

    /// <summary>Polls the gateway's <c>/-/routes</c> (prefix to application) until <paramref name="condition"/> holds for it.</summary>
    public static Task WaitForRoutesAsync(this HttpClient gateway, Func<Dictionary<string, string>, bool> condition) =>
        Poll.UntilAsync(async () => condition((await gateway.GetFromJsonAsync<Dictionary<string, string>>("/-/routes"))!), RoutingPatience);

    /// <summary>
    /// A started gateway silo of a cluster of its own, on free ports, with the gateway's options that
    /// <paramref name="configure"/> sets and what <paramref name="services"/> adds.
    /// </summary>
    public static async Task<WebApplication> StartAsync(string name, Action<ServeGatewayOptions> configure, Action<IServiceCollection>? services = null)
    {
        var builder = CreateBuilder(name);
        builder.Services.AddServeGateway(configure);
        services?.Invoke(builder.Services);
        var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        return gateway;
    }

    /// <summary>
    /// A started gateway silo of a cluster of its own with HTTP and the admin API each on a port the system picks;
    /// <paramref name="admin"/> sets the admin API's other options.
    /// </summary>
    public static Task<WebApplication> StartWithAdminAsync(string name, Action<ServeAdminOptions> admin) =>
        StartAsync(name, o => o.Port = 0, services => services.AddServeAdmin(o =>
        {
            o.Port = 0;
            admin(o);
        }));

    /// <summary>
    /// A started gateway of a cluster of its own, on free ports, whose every log line (Warning and above, the level its builder sets) is
    /// recorded: for tests of what a stranger on its ports can make it do and write.
    /// </summary>
    public static async Task<(WebApplication Gateway, RecordingLoggerFactory Log)> StartRecordingAsync(
        string name, Action<ServeGatewayOptions> configure, Action<IServiceCollection>? services = null)
    {
        var log = new RecordingLoggerFactory();
        var gateway = await StartAsync(name, configure, s =>
        {
            s.AddLogging(logging => logging.AddProvider(log));
            services?.Invoke(s);
        });
        return (gateway, log);
    }
}
