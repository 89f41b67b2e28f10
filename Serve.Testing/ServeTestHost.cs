using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Hosting;

namespace Serve.Testing;

/// <summary>
/// Local testing mode (Ray Serve's <c>_local_testing_mode</c>): runs applications inside a unit test on the same host
/// <c>serve run</c> uses — a real Orleans silo in this process with the Serve runtime, so handles, composition and
/// serialization behave as on a cluster — with the HTTP gateway on an in-memory test server instead of a port
/// (as ASP.NET Core's <c>WebApplicationFactory</c> does). Nothing listens on the network but the silo, on a free loopback port.
/// </summary>
/// <example>
/// <code>
/// await using var serve = await ServeTestHost.StartAsync(Api.App());
/// var greeting = await serve.Http.GetStringAsync("/hello/Ada");
/// var handle = await serve.Client.GetAppHandleAsync&lt;IApi&gt;();
/// </code>
/// </example>
public sealed class ServeTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeSpan _startTimeout;

    private ServeTestHost(WebApplication app, TimeSpan startTimeout)
    {
        _app = app;
        _startTimeout = startTimeout;
        Http = app.GetTestClient();
    }

    /// <summary>Runs, deploys and deletes applications, and gives handles to them: the host's <see cref="IServeClient"/>.</summary>
    public IServeClient Client => _app.Services.GetRequiredService<IServeClient>();

    /// <summary>An HTTP client of the gateway, through the in-memory test server: <c>/</c> is the gateway's root, as <c>http://127.0.0.1:8000/</c> is under <c>serve run</c>.</summary>
    public HttpClient Http { get; }

    /// <summary>The host's services (the silo's included).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a host and runs <paramref name="app"/> on it as application <c>default</c> at route prefix <c>/</c>, ready for calls and HTTP requests.</summary>
    public static async Task<ServeTestHost> StartAsync(BoundDeployment app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = new ServeTestHostOptions();
        foreach (var assembly in ApplicationAssemblies.Of(app).Distinct())
        {
            options.DeploymentAssemblies.Add(assembly);
        }
        var host = await StartAsync(options, cancellationToken);
        try
        {
            await host.RunAsync(app, cancellationToken: cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a host with no application; run them with <see cref="RunAsync(BoundDeployment, string, string?, CancellationToken)"/>.</summary>
    public static async Task<ServeTestHost> StartAsync(ServeTestHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StartTimeout, TimeSpan.Zero);
        var cluster = $"serve-test-{Guid.NewGuid():N}";
        var builder = ServeHost.CreateBuilder([]);
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // An embedded cluster of its own (an embedded silo takes a free loopback port), so tests run at once (and a
            // serve run nearby) never meet.
            ["Serve:Cluster:Mode"] = "Embedded",
            ["Serve:Cluster:ClusterId"] = cluster,
            ["Serve:Cluster:ServiceId"] = cluster,
            ["Serve:Http:ConfigureKestrel"] = "false",
            ["Serve:Admin:Enabled"] = "false",
            // A test run is the user's process: its malloc is not Serve's to change.
            ["Serve:Memory:SetMmapThreshold"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(options.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var assemblies = options.DeploymentAssemblies.ToList();
        builder.Services.Configure<ServeOptions>(o =>
        {
            foreach (var assembly in assemblies.Where(a => !o.DeploymentAssemblies.Contains(a)))
            {
                o.DeploymentAssemblies.Add(assembly);
            }
        });
        // The services the deployments' assemblies register for every host (their IServeServiceSetup classes), then the
        // test's own, which may replace them.
        Hosting.ServeServiceSetups.Apply(builder.Services, builder.Configuration, assemblies);
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapServe();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new ServeTestHost(app, options.StartTimeout);
    }

    /// <summary>
    /// Runs <paramref name="app"/> as <see cref="IServeClient.RunAsync(BoundDeployment, string, string?, CancellationToken)"/> does, and
    /// returns once it is RUNNING and, with a route prefix, once the gateway routes it.
    /// </summary>
    public async Task<DeploymentHandle> RunAsync(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default)
    {
        var handle = await Client.RunAsync(app, name, routePrefix, cancellationToken);
        await WaitForRouteAsync(name, routePrefix, cancellationToken);
        return handle;
    }

    /// <summary>Runs <paramref name="app"/> as <see cref="RunAsync(BoundDeployment, string, string?, CancellationToken)"/> does, with a typed handle to its ingress.</summary>
    public async Task<DeploymentHandle<T>> RunAsync<T>(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default)
        where T : class
    {
        var handle = await Client.RunAsync<T>(app, name, routePrefix, cancellationToken);
        await WaitForRouteAsync(name, routePrefix, cancellationToken);
        return handle;
    }

    /// <summary>Deletes the applications (replicas' <c>DisposeAsync</c> run), then stops the silo and the test server.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            // Stopping a silo that still holds replicas drains them, looking for another silo to move them to: with
            // the applications deleted first, a test ends without waiting or logging about it.
            using var deleting = new CancellationTokenSource(_startTimeout);
            await Client.ShutdownAsync(deleting.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ServeException or Orleans.Runtime.OrleansException)
        {
            // The silo stops its replicas anyway.
        }
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    // RUNNING is the controller's word; the gateway learns routes by its own long poll, a moment later.
    private async Task WaitForRouteAsync(string name, string? routePrefix, CancellationToken cancellationToken)
    {
        if (routePrefix is null)
        {
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_startTimeout);
        try
        {
            while (true)
            {
                var routes = await Http.GetFromJsonAsync<Dictionary<string, string>>("/-/routes", JsonSerializerOptions.Web, deadline.Token);
                if (routes?.GetValueOrDefault(routePrefix) == name)
                {
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(5), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Application '{name}' is RUNNING but the gateway did not route '{routePrefix}' to it within {_startTimeout}.");
        }
    }
}
