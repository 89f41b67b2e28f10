using System.Collections.Concurrent;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serve.Replicas;

namespace Serve.Tests.Deployments;

/// <summary>
/// A deployment whose start fails after its constructor ran: in <see cref="InitializeAsync"/> (<c>failIn</c> "initialize"),
/// in its user config (<c>failIn</c> "reconfigure"), or in mapping its endpoints (<c>failIn</c> "endpoints"). Records each
/// instance it made under <c>reason</c>, and each disposal, and whether that disposal ran on the replica's turns.
/// </summary>
[Deployment]
public sealed class FailingStart : IAsyncInitializable, IReconfigurable, IHttpEndpoints, IAsyncDisposable
{
    /// <summary>Per instance: the reason it was made with.</summary>
    public static readonly ConcurrentDictionary<string, string> Made = new();

    /// <summary>Per instance: how often it was disposed, and whether on the replica's turns each time.</summary>
    public static readonly ConcurrentDictionary<string, ConcurrentBag<bool>> Disposals = new();

    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly string _reason;
    private readonly string _failIn;

    public FailingStart(string reason, string failIn)
    {
        _reason = reason;
        _failIn = failIn;
        Made[_id] = reason;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        Fail("initialize");
    }

    public Task ReconfigureAsync(System.Text.Json.JsonElement userConfig, CancellationToken cancellationToken)
    {
        Fail("reconfigure");
        return Task.CompletedTask;
    }

    /// <summary>Per reason: how often the ingress's own service (built by its host) was disposed.</summary>
    public static readonly ConcurrentDictionary<string, int> ServiceDisposals = new();

    public void ConfigureServices(IServiceCollection services) => services.AddSingleton(_ => new IngressService(_reason));

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Built as its endpoints would be, so that the host owns something to dispose.
        endpoints.ServiceProvider.GetRequiredService<IngressService>();
        Fail("endpoints");
    }

    public ValueTask DisposeAsync()
    {
        Disposals.GetOrAdd(_id, _ => []).Add(TaskScheduler.Current is ReplicaTurns);
        return ValueTask.CompletedTask;
    }

    private void Fail(string step)
    {
        if (_failIn == step)
        {
            throw new InvalidOperationException($"{_reason}: {step} failed");
        }
    }

    /// <summary>A service of the ingress's own host; counts its disposals under its reason.</summary>
    private sealed class IngressService(string reason) : IDisposable
    {
        public void Dispose() => ServiceDisposals.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }
}
