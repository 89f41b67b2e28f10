using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Serve.Testing;

namespace Serve.Tests.Deployments;

/// <summary>What a replica's constructor takes from dependency injection lives and dies with the replica.</summary>
public sealed class ReplicaServicesTests
{
    [Fact]
    public async Task DeleteAsync_ReplicasWithScopedAndTransientServices_EachReplicaHasItsOwnAndAllAreDisposed()
    {
        var disposed = new DisposalLog();
        var options = new ServeTestHostOptions
        {
            ConfigureServices = services => services.AddSingleton(disposed).AddScoped<PerReplicaService>().AddTransient<TransientService>(),
        };
        options.DeploymentAssemblies.Add(typeof(ServiceHolder).Assembly);
        await using var serve = await ServeTestHost.StartAsync(options);
        var handle = await serve.RunAsync<IServiceHolder>(
            Deployment.For<ServiceHolder>().Options(o => o with { NumReplicas = 2 }).Bind(), "replica-services", routePrefix: null);

        // Calls spread over both replicas; each answers with the services it was built with.
        var answers = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (answers.Count < 2 && DateTime.UtcNow < deadline)
        {
            answers.Add(await handle.Remote.ServicesAsync());
        }
        Assert.Equal(2, answers.Count);
        var built = answers.Select(a => a.Split(' ')).ToList();
        Assert.NotEqual(built[0][0], built[1][0]);

        await serve.Client.DeleteAsync("replica-services");

        var expected = built.SelectMany(b => b).Order().ToList();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (!expected.All(disposed.Ids.Contains) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(expected, disposed.Ids.Where(expected.Contains).Order());
    }

    public sealed class DisposalLog
    {
        public ConcurrentBag<string> Ids { get; } = [];
    }

    public sealed class PerReplicaService(DisposalLog log) : IDisposable
    {
        public string Id { get; } = "scoped-" + Guid.NewGuid().ToString("N");

        public void Dispose() => log.Ids.Add(Id);
    }

    public sealed class TransientService(DisposalLog log) : IDisposable
    {
        public string Id { get; } = "transient-" + Guid.NewGuid().ToString("N");

        public void Dispose() => log.Ids.Add(Id);
    }

    public interface IServiceHolder
    {
        Task<string> ServicesAsync(CancellationToken ct = default);
    }

    /// <summary>Disposable but not asynchronously: its Dispose is what runs when the replica stops.</summary>
    public sealed class ServiceHolder(PerReplicaService scoped, TransientService transient, DisposalLog log) : IServiceHolder, IDisposable
    {
        private readonly string _id = "deployment-" + Guid.NewGuid().ToString("N");

        public Task<string> ServicesAsync(CancellationToken ct) => Task.FromResult($"{scoped.Id} {transient.Id} {_id}");

        public void Dispose() => log.Ids.Add(_id);
    }
}
