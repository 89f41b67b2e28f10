using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serve.Hosting;

/// <summary>
/// Puts <see cref="KestrelThrottledLoggerFactory"/> over the host's logger factory, whichever it is (the default
/// <see cref="LoggerFactory"/>, or one a logging library registered before): Kestrel takes its loggers from the host's
/// factory, so that is the one place its lines can be bounded. A factory registered after this one replaces it, and its
/// lines go unthrottled.
/// </summary>
internal static class KestrelLogThrottling
{
    public static void AddTo(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker))
            || services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService) is not { } registered)
        {
            return;
        }
        services.AddSingleton<Marker>();
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(sp =>
        {
            var (inner, owned) = Create(sp, registered);
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return new KestrelThrottledLoggerFactory(inner, owned, new KestrelLogThrottle(KestrelLogThrottle.DefaultAllowance, KestrelLogThrottle.DefaultInterval), time);
        });
    }

    /// <summary>The factory the registration would have made, and whether the container would have disposed it.</summary>
    private static (ILoggerFactory Factory, bool Owned) Create(IServiceProvider services, ServiceDescriptor registered) => registered switch
    {
        { ImplementationInstance: ILoggerFactory instance } => (instance, false),
        { ImplementationFactory: { } create } => ((ILoggerFactory)create(services), true),
        { ImplementationType: { } type } when type == typeof(LoggerFactory) => (new LoggerFactory(
            services.GetServices<ILoggerProvider>(),
            services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            services.GetService<IOptions<LoggerFactoryOptions>>(),
            services.GetService<IExternalScopeProvider>()), true),
        { ImplementationType: { } type } => ((ILoggerFactory)ActivatorUtilities.CreateInstance(services, type), true),
        _ => throw new InvalidOperationException($"The host's {nameof(ILoggerFactory)} registration ({registered}) names no instance, factory or type."),
    };

    /// <summary>Registered once the factory is throttled, so that adding the gateway twice throttles once.</summary>
    private sealed class Marker;
}
