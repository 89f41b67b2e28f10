using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Testing;
using Serve.Tests.Deployments.Failing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Replicas;

/// <summary>
/// What a failed replica start writes to the log: the deployment's code's exception once per start, with its stack, on
/// the replica's line; Serve's own diagnosis (a parameter nobody registered) as its sentence alone; and the deployment's
/// count of failures as one line with the reason, never a second copy of a stack that is Serve's and Orleans'.
/// </summary>
public sealed class ReplicaStartFailureLogTests
{
    private static async Task<RecordingLoggerFactory> RunFailingAsync(BoundDeployment app)
    {
        var logs = new RecordingLoggerFactory();
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions
        {
            DeploymentAssemblies = { typeof(NeedsFeatureStore).Assembly },
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
        });

        await Assert.ThrowsAnyAsync<ServeException>(() => serve.RunAsync(app));
        return logs;
    }

    private static List<(string Category, EventId Id, string Message, Exception? Exception)> StartFailures(RecordingLoggerFactory logs, string category) =>
        [.. logs.Exceptions.Where(r => r.Id.Id == ServeEvents.ReplicaStartFailed && r.Category.EndsWith(category, StringComparison.Ordinal))];

    [Fact]
    public async Task StartAsync_ParameterNotRegistered_EachLineIsTheSentenceWithoutAStack()
    {
        var logs = await RunFailingAsync(Deployment.For<NeedsFeatureStore>().Options(o => o with { MaxConstructorRetryCount = 2 }).Bind());

        var replicaLines = StartFailures(logs, "ReplicaGrain");
        var deploymentLines = StartFailures(logs, "DeploymentGrain");
        Assert.NotEmpty(replicaLines);
        Assert.NotEmpty(deploymentLines);
        Assert.All(replicaLines.Concat(deploymentLines), line =>
        {
            Assert.Null(line.Exception);
            Assert.Contains("parameter 'store' (IFeatureStore) of NeedsFeatureStore is neither bound nor registered", line.Message);
        });
    }

    [Fact]
    public async Task StartAsync_ConstructorThrows_ReplicaLogsTheStackAndTheDeploymentOnlyTheReason()
    {
        var logs = await RunFailingAsync(Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 2 }).Bind());

        var replicaLines = StartFailures(logs, "ReplicaGrain");
        var deploymentLines = StartFailures(logs, "DeploymentGrain");
        Assert.NotEmpty(replicaLines);
        Assert.All(replicaLines, line => Assert.Contains(nameof(ThrowingConstructor), Assert.IsType<InvalidOperationException>(line.Exception).StackTrace));
        Assert.NotEmpty(deploymentLines);
        Assert.All(deploymentLines, line =>
        {
            Assert.Null(line.Exception);
            Assert.EndsWith("System.InvalidOperationException: MODEL_HOME is not set (at Serve.Tests.Deployments.Failing.ThrowingConstructor..ctor in ThrowingConstructor.cs:line 7)", line.Message);
        });
    }
}
