using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serve.Http;

namespace Serve.Tests.Http;

/// <summary>An HTTP ingress's services in front of the silo's, over two real containers.</summary>
public sealed class IngressServiceProviderTests
{
    private sealed class Model(string source)
    {
        public string Source { get; } = source;
    }

    private sealed class Scoped : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class Greeting
    {
        public string Text { get; set; } = "default";
    }

    private static IngressServiceProvider Over(Action<IServiceCollection> own, Action<IServiceCollection> silo, out ServiceProvider siloServices)
    {
        var ownServices = new ServiceCollection();
        ownServices.AddOptions();
        own(ownServices);
        var siloCollection = new ServiceCollection();
        siloCollection.AddOptions();
        silo(siloCollection);
        siloServices = siloCollection.BuildServiceProvider();
        return new IngressServiceProvider(ownServices.BuildServiceProvider(), siloServices);
    }

    [Fact]
    public async Task GetService_TypeOnlyTheSiloRegisters_TheSilosInstance()
    {
        await using var services = Over(_ => { }, s => s.AddSingleton(new Model("silo")), out var silo);
        await using var _ = silo;

        Assert.Same(silo.GetRequiredService<Model>(), services.GetService(typeof(Model)));
        Assert.True(services.IsService(typeof(Model)));
    }

    [Fact]
    public async Task GetService_TypeBothRegister_TheIngresssOwn()
    {
        await using var services = Over(s => s.AddSingleton(new Model("own")), s => s.AddSingleton(new Model("silo")), out var silo);
        await using var _ = silo;

        Assert.Equal("own", services.GetRequiredService<Model>().Source);
    }

    [Fact]
    public async Task GetService_EnumerableOfATypeOnlyTheSiloRegisters_TheSilosList()
    {
        await using var services = Over(_ => { }, s => s.AddSingleton(new Model("a")).AddSingleton(new Model("b")), out var silo);
        await using var _ = silo;

        Assert.Equal(["a", "b"], services.GetServices<Model>().Select(m => m.Source));
    }

    [Fact]
    public async Task GetService_OptionsOnlyTheSiloConfigures_TheSilosValues()
    {
        await using var services = Over(_ => { }, s => s.Configure<Greeting>(g => g.Text = "silo"), out var silo);
        await using var _ = silo;

        Assert.Equal("silo", services.GetRequiredService<IOptions<Greeting>>().Value.Text);
        Assert.Equal("silo", services.GetRequiredService<IOptionsMonitor<Greeting>>().CurrentValue.Text);
    }

    [Fact]
    public async Task GetService_OptionsBothConfigure_TheIngresssOwn()
    {
        await using var services = Over(s => s.Configure<Greeting>(g => g.Text = "own"), s => s.Configure<Greeting>(g => g.Text = "silo"), out var silo);
        await using var _ = silo;

        Assert.Equal("own", services.GetRequiredService<IOptions<Greeting>>().Value.Text);
    }

    [Fact]
    public async Task GetService_WebStackTypeOnlyTheSiloHas_None()
    {
        // A gateway's silo has ASP.NET Core's services of its own; an ingress's pipeline must not take them.
        await using var services = Over(_ => { }, s => s.AddHttpContextAccessor().Configure<FormOptions>(o => o.ValueCountLimit = 1), out var silo);
        await using var _ = silo;

        Assert.Null(services.GetService<IHttpContextAccessor>());
        Assert.False(services.IsService(typeof(IHttpContextAccessor)));
        Assert.NotEqual(1, services.GetRequiredService<IOptions<FormOptions>>().Value.ValueCountLimit);
    }

    [Fact]
    public async Task GetKeyedService_KeyOnlyTheSiloRegisters_TheSilosInstance()
    {
        await using var services = Over(
            s => s.AddKeyedSingleton("own", new Model("own")), s => s.AddKeyedSingleton("large", new Model("silo")), out var silo);
        await using var _ = silo;

        Assert.Equal("silo", services.GetRequiredKeyedService<Model>("large").Source);
        Assert.Equal("own", services.GetRequiredKeyedService<Model>("own").Source);
        Assert.True(services.IsKeyedService(typeof(Model), "large"));
    }

    [Fact]
    public async Task CreateScope_SilosScopedService_OnePerScopeAndDisposedWithIt()
    {
        await using var services = Over(_ => { }, s => s.AddScoped<Scoped>(), out var silo);
        await using var _ = silo;

        Scoped first;
        await using (var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<Scoped>();
            Assert.Same(first, scope.ServiceProvider.GetRequiredService<Scoped>());
            // The scope's own provider is asked again through it, as ASP.NET Core's RequestServices are.
            Assert.Same(first, scope.ServiceProvider.GetRequiredService<IServiceProvider>().GetRequiredService<Scoped>());
            Assert.False(first.Disposed);
        }
        Assert.True(first.Disposed);
        using var next = services.CreateScope();
        Assert.NotSame(first, next.ServiceProvider.GetRequiredService<Scoped>());
    }

    [Fact]
    public async Task DisposeAsync_Root_DisposesTheIngresssContainerNotTheSilos()
    {
        var services = Over(s => s.AddSingleton<Scoped>(), s => s.AddSingleton<SiloModel>(), out var silo);
        await using var _ = silo;
        var own = services.GetRequiredService<Scoped>();
        var siloModel = services.GetRequiredService<SiloModel>();
        Assert.Same(silo.GetRequiredService<SiloModel>(), siloModel);

        await services.DisposeAsync();

        Assert.True(own.Disposed);
        Assert.False(siloModel.Disposed);
    }

    private sealed class SiloModel : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
