using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Deployments.Http;

/// <summary>
/// An ingress, called by handle and over HTTP, whose reconfiguration and calls each spin in their synchronous parts, and
/// which records any of them that came in while another's synchronous part ran, and how many of its calls were in flight
/// (between their start and their end, awaits included) when a reconfiguration came in.
/// </summary>
[Deployment(MaxOngoingRequests = 64, NumReplicas = 2)]
public sealed class RacingConfigured : IRacingConfigured, IReconfigurable, IHttpIngress
{
    /// <summary>Per instance: the greeting of its last reconfiguration, once that reconfiguration ended.</summary>
    public static readonly ConcurrentDictionary<string, string> Applied = new();

    /// <summary>Per instance: how often a call or a reconfiguration came in while another's synchronous part ran.</summary>
    public static readonly ConcurrentDictionary<string, int> Overlaps = new();

    /// <summary>Per instance: the most calls in flight that a reconfiguration found when it came in.</summary>
    public static readonly ConcurrentDictionary<string, int> InFlightAtReconfigure = new();

    private readonly string _id = Guid.NewGuid().ToString("N");
    private string _greeting = "unset";
    private int _inside;
    private int _calls;

    public async Task ReconfigureAsync(JsonElement userConfig, CancellationToken cancellationToken)
    {
        InFlightAtReconfigure.AddOrUpdate(_id, Volatile.Read(ref _calls), (_, most) => Math.Max(most, Volatile.Read(ref _calls)));
        var greeting = userConfig.GetProperty("greeting").GetString()!;
        Enter(spinMicroseconds: 2_000);
        _greeting = greeting;
        Leave();
        await Task.Yield();
        Enter(spinMicroseconds: 2_000);
        Leave();
        Applied[_id] = greeting;
    }

    public Task<string> GreetAsync(CancellationToken cancellationToken = default) => CallAsync();

    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => await CallAsync();

    private async Task<string> CallAsync()
    {
        Interlocked.Increment(ref _calls);
        try
        {
            Enter(spinMicroseconds: 100);
            var greeting = _greeting;
            Leave();
            // In flight, between its synchronous parts, for far longer than between one call and the caller's next: a
            // reconfiguration comes in here. (At 2 ms, a loaded machine's gaps between calls let a run's reconfigurations
            // both find none in flight, and the test could not show the race it is about.)
            await Task.Delay(20);
            Enter(spinMicroseconds: 100);
            Leave();
            return $"{_id}|{greeting}";
        }
        finally
        {
            Interlocked.Decrement(ref _calls);
        }
    }

    /// <summary>Counts a synchronous part in, noting whether another was running, and spins: another would come in meanwhile, were it let.</summary>
    private void Enter(int spinMicroseconds)
    {
        if (Interlocked.Increment(ref _inside) > 1)
        {
            Overlaps.AddOrUpdate(_id, 1, (_, n) => n + 1);
        }
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * spinMicroseconds / 1_000_000;
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
    }

    private void Leave() => Interlocked.Decrement(ref _inside);
}
