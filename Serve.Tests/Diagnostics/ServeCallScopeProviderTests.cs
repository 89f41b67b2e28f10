using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
using Serve.Routing;

namespace Serve.Tests.Diagnostics;

public sealed class ServeCallScopeProviderTests
{
    [Fact]
    public async Task ForEachScope_DuringCall_ReportsCallFirstThenHostScopesWithActivityTracking()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var services = Services(lines, s => { });
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        await InCallAsync(new ServeCallContext("req-1", 0), () =>
        {
            using (logger.BeginScope(new Dictionary<string, object?> { ["User"] = "u" }))
            {
                logger.LogInformation("inside");
            }
        });
        logger.LogInformation("outside");

        var inside = Assert.Single(lines.Lines, l => l.Message == "inside");
        Assert.Equal(["ServeRequestId", "SpanId", "TraceId", "ParentId", "User"], inside.Scope.Keys);
        Assert.Equal(("req-1", activity.TraceId.ToHexString(), "u"), (inside.Scope["ServeRequestId"], inside.Scope["TraceId"], inside.Scope["User"]));
        var outside = Assert.Single(lines.Lines, l => l.Message == "outside");
        Assert.Equal(["SpanId", "TraceId", "ParentId"], outside.Scope.Keys);
    }

    [Fact]
    public async Task ForEachScope_CallerTraceParent_ReportsItsTraceId()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var services = Services(lines, s => { });
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");
        const string traceId = "0af7651916cd43dd8448eb211c80319c";

        await InCallAsync(new ServeCallContext("req-2", 0) { CallerTraceParent = $"00-{traceId}-b7ad6b7169203331-01" }, () => logger.LogInformation("traced"));

        var line = Assert.Single(lines.Lines);
        Assert.Equal(("req-2", traceId), (line.Scope["ServeRequestId"], line.Scope["TraceId"]));
    }

    [Fact]
    public async Task ForEachScope_ReplicaSpan_ReportsItsTraceIdOverTheCallers()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var services = Services(lines, s => { });
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        await InCallAsync(new ServeCallContext("req-5", 0) { TraceId = traceId, CallerTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
            () => logger.LogInformation("spanned"));

        Assert.Equal(traceId, Assert.Single(lines.Lines).Scope["TraceId"]);
    }

    [Fact]
    public async Task ForEachScope_CaptureScopesOff_LeavesCallOut()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var services = Services(lines, s => s.Configure<LoggerFilterOptions>(o => o.CaptureScopes = false));
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");

        await InCallAsync(new ServeCallContext("req-3", 0), () => logger.LogInformation("uncaptured"));

        Assert.Empty(Assert.Single(lines.Lines).Scope);
    }

    [Fact]
    public async Task Register_UserScopeProviderInDi_WrapsItAndKeepsItsScopes()
    {
        var lines = new ScopeRecordingLoggerProvider();
        var user = new LoggerExternalScopeProvider();
        await using var services = Services(lines, s => s.AddSingleton<IExternalScopeProvider>(user));
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Test");
        var seenByUser = new List<object?>();

        await InCallAsync(new ServeCallContext("req-4", 0), () =>
        {
            using (logger.BeginScope("user scope"))
            {
                logger.LogInformation("wrapped");
                user.ForEachScope((scope, seen) => seen.Add(scope), seenByUser);
            }
        });

        Assert.Equal(["user scope"], seenByUser);
        Assert.Equal("req-4", Assert.Single(lines.Lines).Scope["ServeRequestId"]);
        Assert.Single(services.GetServices<IExternalScopeProvider>());
    }

    [Fact]
    public void Register_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();
        ServeCallScopeProvider.Register(services);
        ServeCallScopeProvider.Register(services);

        Assert.Single(services, d => d.ServiceType == typeof(IExternalScopeProvider));
        Assert.Single(services, d => d.ServiceType == typeof(ServeCallScopeProvider));
    }

    private static ServiceProvider Services(ScopeRecordingLoggerProvider lines, Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(lines).SetMinimumLevel(LogLevel.Information)
            .Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.SpanId | ActivityTrackingOptions.TraceId | ActivityTrackingOptions.ParentId));
        configure(services);
        ServeCallScopeProvider.Register(services);
        return services.BuildServiceProvider();
    }

    /// <summary>Runs <paramref name="log"/> as a replica's call does: with the call context set in its own flow.</summary>
    private static async Task InCallAsync(ServeCallContext context, Action log)
    {
        await Task.Yield();
        ServeCallContext.Current = context;
        log();
    }
}
