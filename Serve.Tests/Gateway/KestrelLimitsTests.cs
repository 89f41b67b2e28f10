using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Serve.Tests.Gateway;

public sealed class KestrelLimitsTests
{
    private static KestrelServerLimits Limits(Action<Hosting.ServeGatewayOptions> configure)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServeGateway(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
    }

    [Fact]
    public void AddServeGateway_HttpOptions_SetKestrelsLimits()
    {
        var limits = Limits(o =>
        {
            o.ConfigureKestrel = false;
            o.MaxRequestBodySize = 1234;
            o.MaxConnections = 77;
            o.MinRequestBodyDataRate = 500;
            o.MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(3);
            o.RequestHeadersTimeout = TimeSpan.FromSeconds(4);
            o.MaxRequestLineSize = 4096;
            o.MaxRequestHeadersTotalSize = 16384;
            o.MaxRequestHeaderCount = 50;
        });

        Assert.Equal((1234L, 77L, 500.0, TimeSpan.FromSeconds(3)), (limits.MaxRequestBodySize, limits.MaxConcurrentConnections, limits.MinRequestBodyDataRate!.BytesPerSecond, limits.MinRequestBodyDataRate.GracePeriod));
        Assert.Equal((TimeSpan.FromSeconds(4), 4096, 16384, 50), (limits.RequestHeadersTimeout, limits.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize, limits.MaxRequestHeaderCount));
        Assert.Null(Limits(o => (o.ConfigureKestrel, o.MinRequestBodyDataRate) = (false, 0)).MinRequestBodyDataRate);
    }
}
