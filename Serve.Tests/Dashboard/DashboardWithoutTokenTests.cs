using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Dashboard;

/// <summary>With no admin token (loopback only, as the admin API), the dashboard opens without a login.</summary>
public sealed class DashboardWithoutTokenTests(OpenAdminFixture fixture) : IClassFixture<OpenAdminFixture>, IDisposable
{
    private readonly HttpClient _browser = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.AdminAddress, Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task Dashboard_NoTokenConfigured_OpensWithoutLogin()
    {
        using var page = await _browser.GetAsync("/dashboard");
        using var status = await _browser.GetAsync("/dashboard/api/status");
        using var login = await _browser.GetAsync("/dashboard/login");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.False((await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token_required").GetBoolean());
        Assert.Equal((HttpStatusCode.Redirect, "/dashboard"), (login.StatusCode, login.Headers.Location?.OriginalString));
    }

    [Fact]
    public async Task Dashboard_NoTokenConfiguredFromAnotherSite_Returns403()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/api/status");
        request.Headers.Add("Origin", "http://evil.test");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await _browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
