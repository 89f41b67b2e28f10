using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Chaos;

/// <summary>
/// A gateway silo hosted in the benchmark's own process (so the load generator can read its routers'
/// counters): Kestrel on a free loopback port, the silo configured by <c>Serve:*</c> settings, no admin API.
/// </summary>
internal sealed class GatewaySilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewaySilo(WebApplication app, int port)
    {
        _app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public IServeClient Serve => _app.Services.GetRequiredService<IServeClient>();

    public IMeterFactory Meters => _app.Services.GetRequiredService<IMeterFactory>();

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public string SiloAddress => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

    public static async Task<GatewaySilo> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var port = FreePorts.Take(1)[0];
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        // Warning for Serve; Orleans' (and its placement retries') warnings about the killed silo's connections would bury the report.
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error).AddFilter("Polly", LogLevel.Error)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Error);
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServe());
        builder.Services.AddServeGateway(o => o.Port = port);
        var app = builder.Build();
        app.MapServe();
        var gateway = new GatewaySilo(app, port);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    /// <summary>Polls the route table until <paramref name="prefix"/> is served.</summary>
    public async Task WaitForRouteAsync(HttpClient http, string prefix, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!(await http.GetStringAsync(new Uri(BaseAddress, "/-/routes"), deadline.Token)).Contains($"\"{prefix}\"", StringComparison.Ordinal))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _app.StopAsync(stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _app.DisposeAsync();
    }
}
