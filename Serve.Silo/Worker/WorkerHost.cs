using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;
using Serve.Hosting;

namespace Serve.Worker;

/// <summary>
/// The worker silo: <c>dotnet Serve.Silo.dll</c>. Joins the cluster described by <c>Serve:Cluster</c>
/// (appsettings.json or environment variables such as <c>Serve__Cluster__Mode=Redis</c>), hosts replicas,
/// loads the deployment assemblies listed under <c>Serve:Assemblies</c>, and on Linux with glibc fixes malloc's mmap
/// threshold (<c>Serve:Memory</c>) so that native memory freed as replicas come and go goes back to the system.
/// </summary>
internal static partial class WorkerHost
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        IReadOnlyList<System.Reflection.Assembly> assemblies;
        try
        {
            assemblies = DeploymentAssemblies.Load(builder.Configuration);
            builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServeMallocTuning(builder.Configuration).AddServe(o => DeploymentAssemblies.Register(o, assemblies)));
            builder.Services.AddServeTelemetry(builder.Configuration, assemblies, "serve-worker");
            ServeServiceSetups.Apply(builder.Services, builder.Configuration, assemblies);
        }
        catch (InvalidOperationException e)
        {
            // A missing assembly or a configuration value of the wrong type: say which, without a stack trace.
            await Console.Error.WriteLineAsync(e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message);
            return 2;
        }

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WorkerHost));
        foreach (var assembly in assemblies)
        {
            LogAssemblyLoaded(logger, assembly.FullName ?? assembly.Location);
        }
        try
        {
            await host.StartAsync();
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures)
            {
                await Console.Error.WriteLineAsync(failure);
            }
            return 2;
        }
        catch (Exception e) when (SiloPortInUseException.Find(e) is { } taken)
        {
            await Console.Error.WriteLineAsync(taken.Message);
            return 2;
        }
        var cluster = host.Services.GetRequiredService<IOptions<ServeClusterOptions>>().Value;
        LogStarted(logger, host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString(), cluster.ClusterId, cluster.Mode, cluster.Liveness);
        await host.WaitForShutdownAsync();
        return 0;
    }

    [LoggerMessage(EventId = ServeEvents.WorkerStarted, Level = LogLevel.Information, Message = "Worker silo {Silo} is active in cluster {ClusterId} ({Mode} mode, {Liveness} liveness)")]
    private static partial void LogStarted(ILogger logger, string silo, string clusterId, ClusterMode mode, LivenessProfile liveness);

    [LoggerMessage(EventId = ServeEvents.DeploymentAssemblyLoaded, Level = LogLevel.Information, Message = "Loaded deployment assembly {Assembly}")]
    private static partial void LogAssemblyLoaded(ILogger logger, string assembly);
}
