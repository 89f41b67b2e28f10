using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Hosting;
using Serve.Worker;

namespace Serve;

/// <summary>
/// The one-call way to run Serve in one process: an Orleans silo with the Serve runtime, the
/// HTTP gateway on 127.0.0.1:8000 and the admin API on 127.0.0.1:8265, as <c>serve run</c> does.
/// </summary>
public static class ServeHost
{
    /// <summary>
    /// A web application builder that is already an embedded one-silo cluster with Serve and its
    /// gateway. Build it, call <c>MapServe()</c>, start it, then run applications with
    /// <see cref="IServeClient"/> from its services. Like a worker, it loads the deployment assemblies listed under
    /// <c>Serve:Assemblies</c> first: a gateway resolves the import paths of the config files its admin API applies.
    /// Replicas are built only of classes in those assemblies and in the entry assembly (<see cref="Hosting.ServeOptions.DeploymentAssemblies"/>).
    /// Like a worker, it owns its process's malloc: on Linux with glibc it fixes the mmap threshold (<c>Serve:Memory</c>,
    /// <see cref="Memory.ServeMemoryOptions"/>) so that freed native memory goes back to the system. Like a worker, it runs the
    /// <see cref="IServeServiceSetup"/> classes of those assemblies on its services. Like a worker, it writes its console log one
    /// line per entry with the time (<c>Logging:Console:FormatterOptions</c> changes that).
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) => CreateBuilder(args, System.Reflection.Assembly.GetEntryAssembly());

    /// <summary><see cref="CreateBuilder(string[])"/> of a program whose entry assembly is <paramref name="entry"/>.</summary>
    internal static WebApplicationBuilder CreateBuilder(string[] args, System.Reflection.Assembly? entry)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        ConsoleLogDefaults.AddTo(builder.Configuration);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var assemblies = DeploymentAssemblies.Load(builder.Configuration);
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServeMallocTuning(builder.Configuration).AddServe(o => DeploymentAssemblies.Register(o, assemblies)));
        builder.Services.AddServeTelemetry(builder.Configuration, assemblies, "serve-gateway");
        builder.Services.AddHostedService<GatewayStartedLog>();
        builder.Services.AddServeGateway();
        builder.Services.AddServeAdmin();
        // The program's own assembly is a deployment assembly too (ServeOptions.DeploymentAssemblies starts with it), so its
        // setup classes run as those of Serve:Assemblies do: a service registered beside the deployments that take it, as a
        // missing service's error tells, was otherwise never registered when the deployments sit in the program itself.
        ServeServiceSetups.Apply(builder.Services, builder.Configuration, WithEntryAssembly(assemblies, entry));
        return builder;
    }

    private static IEnumerable<System.Reflection.Assembly> WithEntryAssembly(IReadOnlyList<System.Reflection.Assembly> assemblies, System.Reflection.Assembly? entry) =>
        entry is not null && !Replicas.PlatformAssemblies.Contains(entry) ? assemblies.Append(entry).Distinct() : assemblies;
}
