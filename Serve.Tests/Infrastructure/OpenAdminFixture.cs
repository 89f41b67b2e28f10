using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Admin;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A real gateway silo whose admin API has no token, as <c>serve run</c> starts it by default (loopback only, on a free
/// port), with one allowed browser origin: what a web page the user visits could try to reach.
/// </summary>
public sealed class OpenAdminFixture : IAsyncLifetime
{
    public const string AllowedOrigin = "http://tools.test:3000";

    private WebApplication _gateway = null!;

    /// <summary>The admin API, called as the serve CLI calls it: no Origin, no Sec-Fetch-* headers.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public Uri AdminAddress { get; private set; } = null!;

    public IServeClient Serve => _gateway.Services.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartWithAdminAsync("open-admin-tests", o => o.AllowedOrigins.Add(AllowedOrigin));
        AdminAddress = _gateway.Services.GetRequiredService<AdminListener>().Address!;
        Admin = new HttpClient { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
