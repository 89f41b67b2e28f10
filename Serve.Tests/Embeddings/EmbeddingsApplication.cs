using Serve.Samples.Embeddings;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Embeddings;

/// <summary>
/// The embeddings sample run once for a test class on the shared gateway, and deleted after it: loading the model
/// takes seconds and hundreds of megabytes, so the tests share one replica of it.
/// </summary>
public sealed class EmbeddingsApplication : IAsyncLifetime
{
    public const string Name = "embeddings-sample";
    public const string RoutePrefix = "/embeddings";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IServeClient? _serve;

    /// <summary>Runs the application on <paramref name="gateway"/> the first time; later calls return at once.</summary>
    public async Task RunOnceAsync(GatewayFixture gateway)
    {
        await _gate.WaitAsync();
        try
        {
            if (_serve is null)
            {
                await gateway.Serve.RunAsync(EmbeddingsApi.App(), Name, RoutePrefix);
                await gateway.WaitForRoutesAsync(r => r.GetValueOrDefault(RoutePrefix) == Name);
                _serve = gateway.Serve;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.DeleteAsync(Name);
        }
        _gate.Dispose();
    }
}
