using Microsoft.Extensions.DependencyInjection;

namespace Serve.Http;

/// <summary>
/// The services of an HTTP ingress's endpoints: the ingress's own container first, then the silo's
/// (<see cref="IngressServiceChoice"/>), so endpoints written as in an ASP.NET Core app whose container holds everything
/// (a handler parameter of a service the program registered, <c>[FromServices]</c>, silo-configured options) get what
/// they would there. The root (the ingress host's <c>Services</c>) answers singletons from the silo's root; each scope (a
/// request's <c>RequestServices</c>) pairs a scope of the ingress's container with a scope of the silo's, made when a
/// service first comes from it, so the silo's scoped and transient services live for the request and are disposed with
/// it. Disposing the root disposes the ingress's container only: the silo's services are the silo's.
/// </summary>
internal sealed class IngressServiceProvider :
    IServiceProvider, IKeyedServiceProvider, IServiceProviderIsKeyedService, IServiceScopeFactory, IServiceScope, IDisposable, IAsyncDisposable
{
    private readonly IServiceProvider _own;
    private readonly IServiceProvider _siloRoot;
    private readonly IngressServiceChoice _choice;
    private readonly IServiceScopeFactory _ownScopes;
    private readonly IServiceScope? _ownScope;
    private IServiceScope? _siloScope;

    /// <summary>The root over <paramref name="own"/>, the ingress's container, which it disposes, and <paramref name="silo"/>'s services.</summary>
    public IngressServiceProvider(IServiceProvider own, IServiceProvider silo)
        : this(own, silo, new IngressServiceChoice(own, silo), own.GetRequiredService<IServiceScopeFactory>(), ownScope: null)
    {
    }

    private IngressServiceProvider(
        IServiceProvider own, IServiceProvider siloRoot, IngressServiceChoice choice, IServiceScopeFactory ownScopes, IServiceScope? ownScope)
    {
        _own = own;
        _ownScopes = ownScopes;
        _siloRoot = siloRoot;
        _choice = choice;
        _ownScope = ownScope;
    }

    private bool IsScope => _ownScope is not null;

    IServiceProvider IServiceScope.ServiceProvider => this;

    public object? GetService(Type serviceType)
    {
        if (IsSelf(serviceType))
        {
            return this;
        }
        return _choice.FromSilo(serviceType) ? Silo.GetService(serviceType) : _own.GetService(serviceType);
    }

    public object? GetKeyedService(Type serviceType, object? serviceKey) =>
        _choice.FromSilo(serviceType, serviceKey)
            ? ((IKeyedServiceProvider)Silo).GetKeyedService(serviceType, serviceKey)
            : (_own as IKeyedServiceProvider)?.GetKeyedService(serviceType, serviceKey);

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey) =>
        _choice.FromSilo(serviceType, serviceKey)
            ? ((IKeyedServiceProvider)Silo).GetRequiredKeyedService(serviceType, serviceKey)
            : _own.GetRequiredKeyedService(serviceType, serviceKey);

    public bool IsService(Type serviceType) => IsSelf(serviceType) || _choice.IsService(serviceType);

    /// <summary>The container's own services, which this answers itself so that they see both containers.</summary>
    private static bool IsSelf(Type serviceType) =>
        serviceType == typeof(IServiceProvider) || serviceType == typeof(IKeyedServiceProvider) || serviceType == typeof(IServiceScopeFactory)
        || serviceType == typeof(IServiceProviderIsService) || serviceType == typeof(IServiceProviderIsKeyedService);

    public bool IsKeyedService(Type serviceType, object? serviceKey) => _choice.IsKeyedService(serviceType, serviceKey);

    /// <summary>A scope of both containers (a scope's scopes are the root's, as in any container: scopes do not nest).</summary>
    public IServiceScope CreateScope()
    {
        var own = _ownScopes.CreateScope();
        return new IngressServiceProvider(own.ServiceProvider, _siloRoot, _choice, _ownScopes, own);
    }

    /// <summary>Where the silo's services come from: its root for the root, a scope of it made on first use for a scope.</summary>
    private IServiceProvider Silo
    {
        get
        {
            if (!IsScope)
            {
                return _siloRoot;
            }
            if (Volatile.Read(ref _siloScope) is { } made)
            {
                return made.ServiceProvider;
            }
            // No lock object per request: two first uses at once keep one scope and dispose the other, still empty.
            var scope = _siloRoot.CreateScope();
            if (Interlocked.CompareExchange(ref _siloScope, scope, null) is { } first)
            {
                scope.Dispose();
                return first.ServiceProvider;
            }
            return scope.ServiceProvider;
        }
    }

    public void Dispose()
    {
        if (_ownScope is not null)
        {
            _ownScope.Dispose();
            Interlocked.Exchange(ref _siloScope, null)?.Dispose();
        }
        else
        {
            (_own as IDisposable)?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownScope is not null)
        {
            await DisposeAsync(_ownScope);
            if (Interlocked.Exchange(ref _siloScope, null) is { } silo)
            {
                await DisposeAsync(silo);
            }
        }
        else
        {
            await DisposeAsync(_own);
        }
    }

    private static ValueTask DisposeAsync(object disposable)
    {
        switch (disposable)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable syncDisposable:
                syncDisposable.Dispose();
                break;
        }
        return ValueTask.CompletedTask;
    }
}
