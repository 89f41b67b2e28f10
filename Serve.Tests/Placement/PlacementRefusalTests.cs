using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;
using Serve.Deployments;
using Serve.Grains;
using Serve.Placement;
using Serve.Testing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Placement;

/// <summary>
/// A Serve placement director's refusal (the chosen silo cannot take the grain now) reaches its caller at once, as an
/// exception the deployment grain takes for "place it again", and Orleans logs nothing loud for it. For an
/// <see cref="OrleansException"/> (the <see cref="SiloUnavailableException"/> the directors threw before) Orleans' placement
/// retries with a Polly Warning and stack per attempt, then logs an Error with the stack ("Failed to address message").
/// On a real silo, through Orleans' messaging.
/// </summary>
public sealed class PlacementRefusalTests
{
    private const string NoSuchSilo = "127.0.0.1:1@1";

    private static async Task<(Exception Error, RecordingLoggerFactory Logs)> CallAsync(Func<IGrainFactory, Task> call)
    {
        var logs = new RecordingLoggerFactory();
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions
        {
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
        });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => call(serve.Services.GetRequiredService<IGrainFactory>()));
        return (error, logs);
    }

    /// <summary>No line at Warning or above carries the refusal (the silo starting up may warn of other things).</summary>
    private static void AssertRefusalNotLoggedLoud(RecordingLoggerFactory logs, Exception refusal)
    {
        var loud = logs.Entries
            .Where(e => e.Level >= LogLevel.Warning && e.Exception?.Message.Contains(refusal.Message, StringComparison.Ordinal) == true)
            .ToList();
        Assert.True(loud.Count == 0, string.Join(Environment.NewLine, loud.Select(e => $"{e.Level} {e.Category}[{e.Id.Id}] {e.Message} {e.Exception}")));
    }

    [Fact]
    public async Task OnAddActivation_LedgerOfASiloNotActive_CallerToldUnavailableAndOrleansLogsNoError()
    {
        var silo = SiloAddress.FromParsableString(NoSuchSilo).ToString();

        var (error, logs) = await CallAsync(grains => grains.GetGrain<ISiloLedgerGrain>(silo).GetPlacedAsync());

        Assert.Contains($"Silo {silo} is not active", error.Message, StringComparison.Ordinal);
        Assert.Equal(StartFailureCause.Unreachable, StartFailureClassifier.Cause(error));
        AssertRefusalNotLoggedLoud(logs, error);
    }

    [Fact]
    public async Task OnAddActivation_ReplicaHintedToASiloNotKnownToHostReplicas_CallerToldUnavailableAndOrleansLogsNoError()
    {
        var (error, logs) = await CallAsync(async grains =>
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, SiloAddress.FromParsableString(NoSuchSilo));
            try
            {
                await grains.GetGrain<IReplicaGrain>("refused#1").CheckHealthAsync(CancellationToken.None);
            }
            finally
            {
                RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            }
        });

        Assert.Contains("is not yet known to host replicas here", error.Message, StringComparison.Ordinal);
        Assert.Equal(StartFailureCause.Unreachable, StartFailureClassifier.Cause(error));
        AssertRefusalNotLoggedLoud(logs, error);
    }
}
