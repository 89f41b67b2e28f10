using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Testing;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Replicas;

/// <summary>
/// What a running replica writes when its deployment's options change: every change (a new num_replicas too) reaches each
/// running replica, but only a new user_config, which ran the deployment's own ReconfigureAsync, is an Information line.
/// </summary>
public sealed class ReplicaReconfigureLogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReconfigureAsync_OnlyTheReplicaCountChanged_DebugThenANewUserConfig_Information()
    {
        var logs = new RecordingLoggerFactory();
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions
        {
            DeploymentAssemblies = { typeof(Configured).Assembly },
            Configuration = { ["Logging:LogLevel:Serve"] = "Debug" },
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
        });
        BoundDeployment App(int replicas, string greeting) =>
            Deployment.For<Configured>().Options(o => o.WithUserConfig(new { greeting }) with { NumReplicas = replicas }).Bind();
        await serve.RunAsync(App(1, "Hello"), "reconfigure-log", null);
        var first = (await serve.Client.GetStatusAsync()).Deployment("reconfigure-log", nameof(Configured)).Replicas.Single().ReplicaId;

        // Scaled up: the running replica takes the new options, its user_config unchanged.
        await serve.RunAsync(App(2, "Hello"), "reconfigure-log", null);
        var scaled = await Poll.UntilAsync(() => Task.FromResult(Lines(logs, first)), l => l.Count > 0, Patience);
        Assert.Equal(LogLevel.Debug, Assert.Single(scaled).Level);

        // A new user_config: each replica ran the deployment's ReconfigureAsync.
        await serve.RunAsync(App(2, "Bonjour"), "reconfigure-log", null);
        var reconfigured = await Poll.UntilAsync(() => Task.FromResult(Lines(logs, first)), l => l.Count > 1, Patience);
        Assert.Equal(LogLevel.Information, reconfigured[1].Level);
        Assert.Equal($"Replica {first} reconfigured", reconfigured[1].Message);
    }

    private static List<(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)> Lines(RecordingLoggerFactory logs, string replica) =>
        [.. logs.Entries.Where(e => e.Id.Id == ServeEvents.ReplicaReconfigured && e.Message.StartsWith($"Replica {replica} ", StringComparison.Ordinal))];
}
