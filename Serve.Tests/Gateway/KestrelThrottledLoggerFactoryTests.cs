using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Serve.Hosting;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

public sealed class KestrelThrottledLoggerFactoryTests
{
    private const string Http2 = "Microsoft.AspNetCore.Server.Kestrel.Http2";

    [Fact]
    public void CreateLogger_KestrelLinesPastTheAllowance_SummedWhenTheIntervalEnds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var records = new RecordingLoggerFactory();
        using var factory = new KestrelThrottledLoggerFactory(records, ownsInner: false, new KestrelLogThrottle(3, TimeSpan.FromMinutes(1)), time);
        var kestrel = factory.CreateLogger(Http2);

        for (var i = 0; i < 50; i++)
        {
            kestrel.Log(LogLevel.Critical, new EventId(5, "Http2QueueOperationsExceeded"), "overflow", null, (s, _) => s);
            kestrel.Log(LogLevel.Debug, new EventId(7, "Http2StreamError"), "reset", null, (s, _) => s);
        }
        var beforeTheEnd = records.Records.Count(r => r.Id.Id == ServeEvents.KestrelLinesFolded);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(3, records.Records.Count(r => r.Id.Id == 5));
        Assert.Equal(50, records.Records.Count(r => r.Id.Id == 7));
        Assert.Equal(0, beforeTheEnd);
        var summary = Assert.Single(records.Records, r => r.Id.Id == ServeEvents.KestrelLinesFolded);
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.StartsWith($"Kestrel: 47 more Critical lines of event Http2QueueOperationsExceeded ({Http2}) were not written in the last 60 s, past 3 written", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateLogger_OtherCategories_TheInnerFactorysOwnLoggers()
    {
        var records = new RecordingLoggerFactory();
        using var factory = new KestrelThrottledLoggerFactory(records, ownsInner: false, new KestrelLogThrottle(1, TimeSpan.FromMinutes(1)), TimeProvider.System);
        var serve = factory.CreateLogger("Serve.Forwarding.HttpForwarder");

        for (var i = 0; i < 5; i++)
        {
            serve.LogCritical("line {Number}", i);
        }

        Assert.Equal(5, records.Records.Count);
    }

    [Fact]
    public void AddTo_GatewayAddedTwiceOverALoggingLibrarysFactory_ThrottlesItOnce()
    {
        var library = new RecordingLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(library);
        KestrelLogThrottling.AddTo(services);
        KestrelLogThrottling.AddTo(services);

        using (var provider = services.BuildServiceProvider())
        {
            var factory = provider.GetRequiredService<ILoggerFactory>();
            var kestrel = factory.CreateLogger(Http2);
            for (var i = 0; i < 50; i++)
            {
                kestrel.LogCritical("overflow");
            }
            Assert.IsType<KestrelThrottledLoggerFactory>(factory);
            Assert.Single(services, d => d.ServiceType == typeof(ILoggerFactory));
        }

        // Disposing the host wrote the summary through the library's factory.
        Assert.Equal(KestrelLogThrottle.DefaultAllowance, library.Records.Count(r => r.Category == Http2));
        Assert.Contains(library.Records, r => r.Id.Id == ServeEvents.KestrelLinesFolded && r.Message.StartsWith("Kestrel: 40 more Critical lines", StringComparison.Ordinal));
    }
}
