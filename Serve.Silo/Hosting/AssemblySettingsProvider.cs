using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Hosting;

/// <summary>
/// The service provider a deployment assembly's registrations are built with: the host's, except that it answers
/// <see cref="IConfiguration"/> with that assembly's settings (<see cref="DeploymentAssemblySettings"/>), so options its
/// setup class binds through DI (<c>BindConfiguration</c>, <c>Configure&lt;IConfiguration&gt;</c>) see the defaults of the
/// file beside it, under the host's settings, while the host's own configuration stays without them.
/// </summary>
internal sealed class AssemblySettingsProvider(IServiceProvider services, IConfiguration settings) : IKeyedServiceProvider
{
    private static readonly MethodInfo Typed =
        typeof(AssemblySettingsProvider).GetMethod(nameof(TypedFactory), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo TypedKeyed =
        typeof(AssemblySettingsProvider).GetMethod(nameof(TypedKeyedFactory), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// Rewrites the registrations made since <paramref name="before"/> that a factory builds (what <c>BindConfiguration</c>,
    /// <c>OptionsBuilder.Configure&lt;IConfiguration&gt;</c> and <c>AddSingleton(sp =&gt; ...)</c> make) so that the factory is
    /// handed a provider that answers <see cref="IConfiguration"/> with <paramref name="settings"/>. A class the container
    /// builds itself from its constructor is left as it is: one that takes <see cref="IConfiguration"/> gets the host's.
    /// </summary>
    public static void Scope(IServiceCollection services, IReadOnlySet<ServiceDescriptor> before, IConfiguration settings)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (!before.Contains(services[i]))
            {
                services[i] = services[i] switch
                {
                    { IsKeyedService: true, KeyedImplementationFactory: { } keyed } d => new ServiceDescriptor(d.ServiceType, d.ServiceKey, Over(keyed, settings), d.Lifetime),
                    { IsKeyedService: false, ImplementationFactory: { } factory } d => new ServiceDescriptor(d.ServiceType, Over(factory, settings), d.Lifetime),
                    var d => d,
                };
            }
        }
    }

    public object? GetService(Type serviceType) => serviceType == typeof(IConfiguration) ? settings : services.GetService(serviceType);

    public object? GetKeyedService(Type serviceType, object? serviceKey) => Keyed().GetKeyedService(serviceType, serviceKey);

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) => Keyed().GetRequiredKeyedService(serviceType, serviceKey);

    private IKeyedServiceProvider Keyed() =>
        services as IKeyedServiceProvider ?? throw new InvalidOperationException("This service provider does not support keyed services.");

    // The factory keeps its delegate's result type, which DI takes for the implementation type (TryAddEnumerable compares it).
    private static Func<IServiceProvider, object> Over(Func<IServiceProvider, object> factory, IConfiguration settings) =>
        (Func<IServiceProvider, object>)Typed.MakeGenericMethod(factory.GetType().GenericTypeArguments[1]).Invoke(null, [factory, settings])!;

    private static Func<IServiceProvider, object?, object> Over(Func<IServiceProvider, object?, object> factory, IConfiguration settings) =>
        (Func<IServiceProvider, object?, object>)TypedKeyed.MakeGenericMethod(factory.GetType().GenericTypeArguments[2]).Invoke(null, [factory, settings])!;

    private static Func<IServiceProvider, T> TypedFactory<T>(Func<IServiceProvider, object> factory, IConfiguration settings) =>
        sp => (T)factory(new AssemblySettingsProvider(sp, settings));

    private static Func<IServiceProvider, object?, T> TypedKeyedFactory<T>(Func<IServiceProvider, object?, object> factory, IConfiguration settings) =>
        (sp, key) => (T)factory(new AssemblySettingsProvider(sp, settings), key);
}
