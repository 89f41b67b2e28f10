using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;
using Serve.Samples.Composition;

namespace Serve.Benchmarks.Http;

/// <summary>
/// One gateway of the telemetry comparison, in a process of its own (<c>http-gateway --port &lt;port&gt; -- config...</c>): the
/// meter and the activity source are process-wide, so gateways with telemetry on and off must not share a process.
/// Runs the no-op ingress and the composition, prints <see cref="Ready"/>, and serves until its input closes.
/// </summary>
internal static class TelemetryGateway
{
    public const string Command = "http-gateway";
    public const string Ready = "READY";

    public static async Task<int> RunAsync(string[] args)
    {
        var (port, configuration) = TelemetryGatewayArguments.Parse(args);
        var builder = ServeHost.CreateBuilder(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<Serve.Hosting.ServeGatewayOptions>(o => o.Port = port);
        builder.Services.Configure<Serve.Hosting.ServeOptions>(o => o.DeploymentAssemblies.Add(typeof(Serve.Samples.SampleCatalog).Assembly));
        var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        var serve = gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(), "noop", "/noop");
        await serve.RunAsync(
            Deployment.For<Ingress>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(
                Deployment.For<Hello>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(),
                Deployment.For<World>().Options(o => o with { MaxOngoingRequests = 128 }).Bind()),
            "composition", "/composition");
        Console.WriteLine(Ready);
        await Console.In.ReadToEndAsync();
        await gateway.StopAsync();
        return 0;
    }
}
