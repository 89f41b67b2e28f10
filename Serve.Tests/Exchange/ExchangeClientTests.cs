using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Serve.Exchange;
using Serve.Grains;
using Serve.Http;
using Serve.Tests.Http;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Exchange;

/// <summary>The router's end when a silo's data-plane port cannot be reached (a firewall): its calls go through Orleans.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ExchangeClientTests(SingleSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    [Fact]
    public async Task TryCall_EndpointUnreachable_NoneSentOneWarningAndAnotherTryOnlyAfterAWhile()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger<ExchangeClient>();
        await using var client = new ExchangeClient(
            ExchangeLimits.Default, ExchangeCodec.Create(Services), time, log);
        // Nothing listens there: connecting is refused at once.
        var endpoint = $"127.0.0.1:{FreePorts.Take(1)[0]}";
        var call = new HttpCall
        {
            RequestId = "r",
            Request = new HttpRequestData { Method = "GET", Scheme = "http", PathBase = "", Path = "/", QueryString = "", Headers = [], Body = [] },
            Channel = Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IHttpExchangeChannel>(new RecordingExchangeChannel()),
        };

        Assert.Null(client.TryCall(endpoint, "replica", call, CancellationToken.None));
        await WaitForAsync(() => Attempts(log) == 1);
        Assert.Null(client.TryCall(endpoint, "replica", call, CancellationToken.None));
        time.Advance(ExchangeClient.RetryAfter + TimeSpan.FromSeconds(1));
        Assert.Null(client.TryCall(endpoint, "replica", call, CancellationToken.None));
        await WaitForAsync(() => Attempts(log) == 2);

        // One warning naming the endpoint; the next failure only at Debug.
        var warning = Assert.Single(log.Records, r => r.Level == LogLevel.Warning);
        Assert.Contains(endpoint, warning.Message, StringComparison.Ordinal);
        Assert.Contains("go through Orleans", warning.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.Calls);
    }

    private static int Attempts(RecordingLogger<ExchangeClient> log) => log.Records.Count(r => r.Id.Id is ServeEvents.ExchangeUnreachable or ServeEvents.ExchangeStillUnreachable);
}
