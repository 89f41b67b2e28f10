using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Forwarding;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with the body limits a derived fixture gives, serving <see cref="EchoIngress"/> at <c>/body</c>;
/// slow clients are not cut off, so tests can hold bodies half-sent.
/// </summary>
public abstract class EchoGatewayFixture : IAsyncLifetime
{
    private readonly string _name;
    private readonly long _maxRequestBodySize;
    private readonly long _budget;
    private readonly TimeSpan _clientTimeout;
    private WebApplication _gateway = null!;

    /// <param name="name">The cluster's name.</param>
    /// <param name="maxRequestBodySize">Serve:Http:MaxRequestBodySize.</param>
    /// <param name="budget">Serve:Http:RequestBodyBudget.</param>
    /// <param name="clientTimeout">How long <see cref="Http"/> waits for an answer.</param>
    protected EchoGatewayFixture(string name, long maxRequestBodySize, long budget, TimeSpan clientTimeout)
    {
        _name = name;
        _maxRequestBodySize = maxRequestBodySize;
        _budget = budget;
        _clientTimeout = clientTimeout;
    }

    public HttpClient Http { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    internal RequestBodyBudget BodyBudget => _gateway.Services.GetRequiredService<RequestBodyBudget>();

    internal HttpExchangeChannel Exchanges => _gateway.Services.GetRequiredService<HttpExchangeChannel>();

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(_name, o =>
        {
            o.Port = 0;
            o.MaxRequestBodySize = _maxRequestBodySize;
            o.RequestBodyBudget = _budget;
            o.MinRequestBodyDataRate = 0;
        });

        Address = _gateway.ListeningAddresses().First();
        Http = new HttpClient { BaseAddress = Address, Timeout = _clientTimeout };
        var serve = _gateway.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<EchoIngress>().Options(o => o with { MaxOngoingRequests = 8 }).Bind("body"), "body", "/body");
        await Poll.UntilAsync(() => Http.GetAsync("/body?kind=string"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
