using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Infrastructure;

/// <summary>The start every in-process gateway fixture shares: a silo of a cluster of its own, quiet logs, the test deployments admitted.</summary>
public static class TestGateway
{
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
}
