using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Testing;
using Serve.Tests.Deployments.Failing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Replicas;

/// <summary>
/// What a failed replica start writes to the log: one Warning per failed start. The deployment's code's exception, with
/// its stack, on the replica's line; Serve's own diagnosis (a parameter nobody registered) as its sentence alone; and the
/// deployment's count of failures as one line with the reason, at Information (the replica's line is the Warning), never
/// a second copy of a stack that is Serve's and Orleans'.
/// </summary>
public sealed class ReplicaStartFailureLogTests
{
    private static async Task<RecordingLoggerFactory> RunFailingAsync(BoundDeployment app)
    {
        var logs = new RecordingLoggerFactory();
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions
        {
            DeploymentAssemblies = { typeof(NeedsFeatureStore).Assembly },
            // Serve's lines at every level: a test of what the default (Warning) shows asks for the level itself.
            Configuration = { ["Logging:LogLevel:Serve"] = "Debug" },
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
        });

        await Assert.ThrowsAnyAsync<ServeException>(() => serve.RunAsync(app));
        return logs;
    }

    private static List<(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)> StartFailures(RecordingLoggerFactory logs, string category) =>
        [.. logs.Entries.Where(r => r.Id.Id == ServeEvents.ReplicaStartFailed && r.Category.EndsWith(category, StringComparison.Ordinal))];

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
            Assert.Contains("register IFeatureStore in the silo's services: in a public class implementing Serve.Hosting.IServeServiceSetup beside the deployment", line.Message);
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

    public static TheoryData<string, BoundDeployment, string> UserCodeFailures => new()
    {
        { "constructor", Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 3 }).Bind(), nameof(ThrowingConstructor) },
        {
            "InitializeAsync",
            Deployment.For<Serve.Tests.Deployments.FailingStart>().Options(o => o with { MaxConstructorRetryCount = 3 }).Bind("log-initialize-fails", "initialize"),
            nameof(Serve.Tests.Deployments.FailingStart.InitializeAsync)
        },
    };

    [Theory]
    [MemberData(nameof(UserCodeFailures))]
    public async Task StartAsync_DeploymentCodeThrows_OneWarningPerFailedStartCarryingTheStack(string where, BoundDeployment app, string thrower)
    {
        var logs = await RunFailingAsync(app);

        var warnings = StartFailures(logs, "").Where(l => l.Level >= LogLevel.Warning).ToList();
        var starts = StartFailures(logs, "DeploymentGrain");
        // As many starts failed as the deployment counted (each counted on its line), each told once at Warning: by the
        // replica, with the stack of the deployment's code.
        Assert.NotEmpty(starts);
        Assert.True(warnings.Count == starts.Count, $"{where}: {starts.Count} failed start(s), {warnings.Count} Warning line(s): {string.Join(" | ", warnings.Select(w => $"{w.Category}: {w.Message}"))}");
        Assert.All(warnings, w =>
        {
            Assert.EndsWith("ReplicaGrain", w.Category);
            Assert.Contains(thrower, Assert.IsType<InvalidOperationException>(w.Exception).StackTrace);
        });
        Assert.All(starts, s => Assert.Equal(LogLevel.Information, s.Level));
    }
}
