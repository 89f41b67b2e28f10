using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Serve.Http;

/// <summary>
/// An ASP.NET Core server without a socket: the replica hands it requests that arrived through
/// the gateway, and it runs them through the ingress's real pipeline (routing, model binding, results).
/// </summary>
internal sealed class ReplicaHttpServer : IServer
{
    private Func<IFeatureCollection, Task>? _process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        _process = async features =>
        {
            var context = application.CreateContext(features);
            try
            {
                await application.ProcessRequestAsync(context);
            }
            catch (Exception e)
            {
                application.DisposeContext(context, e);
                throw;
            }
            application.DisposeContext(context, null);
        };
        return Task.CompletedTask;
    }

    public Task ProcessAsync(IFeatureCollection features) =>
        (_process ?? throw new InvalidOperationException("The replica's HTTP pipeline is not started."))(features);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
