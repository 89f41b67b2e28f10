using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Routing;

namespace Serve.Diagnostics;

/// <summary>
/// The logger factory's scopes, with the replica call in progress reported first: every line written while a replica
/// serves a call (the user's loggers included, as they share the host's logger factory) shows its
/// <see cref="ServeLogScope"/> (<c>ServeRequestId</c>, and <c>TraceId</c> when traced), read from
/// <see cref="ServeCallContext.Current"/>, which the call sets anyway. So a call pushes no scope of its own: a
/// <c>BeginScope</c> per call cost an object, the scope provider's node and two async-local writes (each a new execution
/// context) whether or not anything was logged; this costs nothing until a line that shows scopes is written.
/// </summary>
/// <remarks>
/// The host's own scopes are those of the provider it had: one registered in DI before <c>AddServe</c> is wrapped, and
/// otherwise the logger factory's own (with its <see cref="LoggerFactoryOptions.ActivityTrackingOptions"/>), which the
/// factory would have made had none been registered. <see cref="LoggerFilterOptions.CaptureScopes"/> off leaves the call's
/// scope out, as it leaves out a pushed one.
/// </remarks>
internal sealed class ServeCallScopeProvider(IExternalScopeProvider host, IOptionsMonitor<LoggerFilterOptions> filters) : IExternalScopeProvider
{
    public void ForEachScope<TState>(Action<object?, TState> callback, TState state)
    {
        if (ServeCallContext.Current is { } call && filters.CurrentValue.CaptureScopes)
        {
            // A benign race when two threads of one call log at once: both make an equal scope, one is kept.
            callback(call.LogScope ??= new ServeLogScope(call.RequestId, call.TraceId ?? TraceIdOf(call.CallerTraceParent)), state);
        }
        host.ForEachScope(callback, state);
    }

    public IDisposable Push(object? state) => host.Push(state);

    private static string? TraceIdOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context.TraceId.ToHexString() : null;

    /// <summary>
    /// Makes this the logger factory's scope provider (<see cref="LoggerFactory"/> takes an
    /// <see cref="IExternalScopeProvider"/> from DI), wrapping the one registered before, if any. Once per service collection.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ServeCallScopeProvider)))
        {
            return;
        }
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IExternalScopeProvider) && !d.IsKeyedService);
        if (existing is not null)
        {
            services.Remove(existing);
        }
        services.AddSingleton(s => new ServeCallScopeProvider(
            existing is null ? FactoryScopes(s) : Resolve(existing, s), s.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>()));
        services.AddSingleton<IExternalScopeProvider>(s => s.GetRequiredService<ServeCallScopeProvider>());
    }

    private static IExternalScopeProvider Resolve(ServiceDescriptor descriptor, IServiceProvider services) =>
        (IExternalScopeProvider)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    /// <summary>
    /// The scope provider the host's logger factory makes when DI has none, activity tracking included: it is internal to
    /// Microsoft.Extensions.Logging, so a factory with the same options makes one, and hands it, as to every provider
    /// that shows scopes, to the one here that only keeps it.
    /// </summary>
    private static IExternalScopeProvider FactoryScopes(IServiceProvider services)
    {
        var keeper = new ScopeProviderKeeper();
        using (new LoggerFactory([keeper], services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(), services.GetService<IOptions<LoggerFactoryOptions>>()))
        {
            return keeper.Scopes ?? new LoggerExternalScopeProvider();
        }
    }

    private sealed class ScopeProviderKeeper : ILoggerProvider, ISupportExternalScope
    {
        public IExternalScopeProvider? Scopes { get; private set; }

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => Scopes = scopeProvider;

        public ILogger CreateLogger(string categoryName) => throw new NotSupportedException("Only keeps the factory's scope provider.");

        public void Dispose()
        {
        }
    }
}
