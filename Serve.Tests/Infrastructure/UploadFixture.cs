using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Forwarding;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo that takes bodies of up to 256 MiB (which stream to the replica), serving
/// <see cref="EchoIngress"/> at <c>/body</c>.
/// </summary>
public sealed class UploadFixture : IAsyncLifetime
{
    public const long MaxRequestBodySize = 256L * 1024 * 1024;
    public const long Budget = 256L * 1024 * 1024;

    private WebApplication _gateway = null!;

    public HttpClient Http { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    internal RequestBodyBudget BodyBudget => _gateway.Services.GetRequiredService<RequestBodyBudget>();

    public async Task InitializeAsync()
    {
        var ports = FreePorts.Take(2);
        var (builder, _) = TestGateway.CreateBuilder("upload-tests", ports[0], ports[1]);
        builder.Services.AddServeGateway(o =>
        {
            o.Port = 0;
            o.MaxRequestBodySize = MaxRequestBodySize;
            o.RequestBodyBudget = Budget;
            o.MinRequestBodyDataRate = 0;
        });
        _gateway = builder.Build();
        _gateway.MapServe();
        await _gateway.StartAsync();

        Address = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<EchoIngress>().Options(o => o with { MaxOngoingRequests = 8 }).Bind("body"), "body", "/body");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await Http.GetAsync("/body?kind=string", deadline.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
