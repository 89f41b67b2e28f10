using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Serve.Http;

/// <summary>
/// Which container an HTTP ingress's service comes from: the ingress's own (what its <c>ConfigureServices</c> registers,
/// and Serve's few), or the silo's (an <c>IServeServiceSetup</c>'s, the program's <c>builder.Services</c>). Its own wins,
/// as an app's registrations do; the silo's fills in what it lacks. "Lacks" is read as an ASP.NET Core app would mean it:
/// <list type="bullet">
/// <item>a type it does not register;</item>
/// <item><c>IEnumerable&lt;T&gt;</c> of a <c>T</c> it does not register (every container answers an empty list for any <c>T</c>);</item>
/// <item><c>IOptions&lt;T&gt;</c>, <c>IOptionsSnapshot&lt;T&gt;</c> and <c>IOptionsMonitor&lt;T&gt;</c> of options it does not configure
/// and the silo does (every container with options answers them, with the defaults).</item>
/// </list>
/// The web stack's own types (<c>Microsoft.AspNetCore.*</c>, the host's, logging's, options' and the container's) never come
/// from the silo: the ingress's pipeline is its own, and a silo that hosts the gateway has an antiforgery, a problem-details
/// writer and startup filters of its own that must not run there. Decided once per type.
/// </summary>
internal sealed class IngressServiceChoice
{
    private readonly IServiceProvider _own;
    private readonly IServiceProvider _silo;
    private readonly IServiceProviderIsService? _ownServices;
    private readonly IServiceProviderIsService? _siloServices;
    private readonly ConcurrentDictionary<Type, bool> _fromSilo = new();
    private readonly Func<Type, bool> _decide;

    public IngressServiceChoice(IServiceProvider own, IServiceProvider silo)
    {
        _own = own;
        _silo = silo;
        _ownServices = own.GetService<IServiceProviderIsService>();
        _siloServices = silo.GetService<IServiceProviderIsService>();
        _decide = Decide;
    }

    /// <summary>Whether <paramref name="type"/> comes from the silo's container.</summary>
    public bool FromSilo(Type type) => _fromSilo.GetOrAdd(type, _decide);

    /// <summary>Whether the keyed service (<paramref name="type"/>, <paramref name="key"/>) comes from the silo's container: only the silo registers it.</summary>
    public bool FromSilo(Type type, object? key) =>
        !IsWebStack(type) && !IsKeyed(_ownServices, type, key) && IsKeyed(_siloServices, type, key);

    /// <summary>Whether <paramref name="type"/> is a service here: the ingress's own, or one the silo's fills in.</summary>
    public bool IsService(Type type) => _ownServices?.IsService(type) == true || FromSilo(type);

    /// <summary>Whether the keyed service (<paramref name="type"/>, <paramref name="key"/>) is one here.</summary>
    public bool IsKeyedService(Type type, object? key) => IsKeyed(_ownServices, type, key) || FromSilo(type, key);

    private static bool IsKeyed(IServiceProviderIsService? services, Type type, object? key) =>
        services is IServiceProviderIsKeyedService keyed && keyed.IsKeyedService(type, key);

    private bool Decide(Type type)
    {
        if (_siloServices is null)
        {
            return false;
        }
        if (type.IsConstructedGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var argument = type.GetGenericArguments()[0];
            if (definition == typeof(IEnumerable<>))
            {
                return !IsWebStack(argument) && _ownServices?.IsService(argument) != true && _siloServices.IsService(argument);
            }
            if (definition == typeof(IOptions<>) || definition == typeof(IOptionsSnapshot<>) || definition == typeof(IOptionsMonitor<>))
            {
                return !IsWebStack(argument) && !Configured(_own, argument) && Configured(_silo, argument);
            }
        }
        return !IsWebStack(type) && _ownServices?.IsService(type) != true && _siloServices.IsService(type);
    }

    /// <summary>Whether <paramref name="type"/> belongs to the web stack an ingress host brings itself.</summary>
    internal static bool IsWebStack(Type type) =>
        type.Namespace is { } name && WebStack.Any(prefix => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal));

    private static readonly string[] WebStack =
    [
        "Microsoft.AspNetCore", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging", "Microsoft.Extensions.Options",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.Diagnostics",
    ];

    private static bool Configured(IServiceProvider services, Type options) =>
        Any(services, typeof(IConfigureOptions<>).MakeGenericType(options)) || Any(services, typeof(IPostConfigureOptions<>).MakeGenericType(options));

    private static bool Any(IServiceProvider services, Type service) =>
        services.GetService(typeof(IEnumerable<>).MakeGenericType(service)) is System.Collections.IEnumerable all && all.Cast<object>().Any();
}
