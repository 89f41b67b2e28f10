using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Serve.Admin;
using Serve.Cli;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Admin;

/// <summary>
/// An admin call the cluster rejects (as for a few seconds after a silo's kill -9) is answered 503 naming the cause,
/// and the serve CLI sends it again; through real Kestrel and the CLI's own client.
/// </summary>
public sealed class AdminClusterUnavailableTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private Uri _address = null!;
    private int _calls;
    private Func<int, Exception?> _failure = _ => null;

    public async Task InitializeAsync()
    {
        var unavailable = new AdminClusterUnavailable(NullLogger<AdminClusterUnavailable>.Instance);
        (_server, var addresses) = await LoopbackServer.StartAsync(unavailable.Wrap(async context =>
        {
            if (_failure(Interlocked.Increment(ref _calls)) is { } failure)
            {
                throw failure;
            }
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            await context.Response.WriteAsJsonAsync(new DeletingResponse(["app"]), AdminJson.Options);
        }), HttpProtocols.Http1AndHttp2);
        _address = addresses[0];
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Wrap_ClusterRejectsTheCall_503WithRetryAfterNamingTheCause()
    {
        _failure = _ => new SiloUnavailableException("the silo S127.0.0.1:1 is gone");
        using var http = new HttpClient();

        using var response = await http.DeleteAsync(new Uri(_address, "api/serve/applications/app"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(AdminClusterUnavailable.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("cannot reach the Serve control plane", body);
        Assert.Contains("the silo S127.0.0.1:1 is gone", body);
    }

    [Fact]
    public async Task Wrap_OtherFailure_StaysA500()
    {
        _failure = _ => new InvalidOperationException("a bug");
        using var http = new HttpClient();

        using var response = await http.DeleteAsync(new Uri(_address, "api/serve/applications/app"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task AdminClient_503ThenAnswer_SendsAgainUntilAnswered()
    {
        _failure = call => call <= 2 ? new SiloUnavailableException("settling") : null;
        using var client = new AdminClient(_address, token: null);

        var deleting = await client.DeleteAsync("app", CancellationToken.None);

        Assert.Equal(["app"], deleting.Deleting);
        Assert.Equal(3, Volatile.Read(ref _calls));
    }

    [Fact]
    public async Task AdminClient_500_NotSentAgainAndTheErrorSaysSo()
    {
        _failure = _ => new InvalidOperationException("a bug");
        using var client = new AdminClient(_address, token: null);

        var error = await Assert.ThrowsAsync<CliException>(() => client.DeleteAsync("app", CancellationToken.None));

        Assert.Contains("500", error.Message);
        Assert.Equal(1, Volatile.Read(ref _calls));
    }
}
