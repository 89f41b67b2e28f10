using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Admin;
using Serve.Grains;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo with the admin API on its own free loopback port and a bearer token: what `serve deploy`,
/// `serve status` and the other CLI commands talk to. Tests of this collection start from no applications.
/// </summary>
public sealed class AdminFixture : IAsyncLifetime
{
    public const string Token = "admin-fixture-token-0123456789";

    private WebApplication _gateway = null!;

    /// <summary>The admin API, with the token.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The admin API, without a token.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The gateway's HTTP port, where applications are served.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    public Uri AdminAddress { get; private set; } = null!;

    public IServeClient Serve => _gateway.Services.GetRequiredService<IServeClient>();

    internal AdminStatusCache StatusCache => _gateway.Services.GetRequiredService<AdminStatusCache>();

    internal IControllerGrain Controller => _gateway.Services.GetRequiredService<IGrainFactory>().GetGrain<IControllerGrain>(IControllerGrain.Key);

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartWithAdminAsync("admin-tests", o =>
        {
            o.Token = Token;
            // This collection's tests send wrong tokens on purpose, more than the default allows a minute.
            o.MaxFailedAuthentications = 1000;
        });

        AdminAddress = _gateway.Services.GetRequiredService<AdminListener>().Address!;
        var gateway = _gateway.Urls.Select(u => new Uri(u)).First(u => u.Port != AdminAddress.Port);
        Admin = new HttpClient { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Anonymous = new HttpClient { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
        Gateway = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        await Gateway.WaitUntilHealthyAsync();
    }

    /// <summary>Polls the gateway's <c>/-/routes</c> until <paramref name="prefix"/> is served: status and route table travel apart.</summary>
    public Task WaitForRouteAsync(string prefix) => Gateway.WaitForRoutesAsync(routes => routes.ContainsKey(prefix));

    /// <summary>Deletes every application and waits until they are gone, so a test starts from nothing.</summary>
    public async Task ResetAsync()
    {
        // Shutdown, not an empty config: a config leaves the applications run from code running.
        await Controller.ShutdownAsync();
        await Serve.WaitForAsync(s => s.Applications.Count == 0);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        Anonymous.Dispose();
        Gateway.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
