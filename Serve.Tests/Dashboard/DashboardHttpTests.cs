using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serve.Dashboard;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Dashboard;

/// <summary>The dashboard's endpoints over HTTP, on a gateway whose admin API needs a token: login, sessions, refusals, data.</summary>
[Collection(AdminCollection.Name)]
public sealed class DashboardHttpTests(AdminFixture fixture) : IAsyncLifetime, IDisposable
{
    internal const string TextConfig = """
        applications:
          - name: text
            route_prefix: /text
            import_path: Serve.Samples:TextPipeline
        """;

    // No redirects followed and no cookie jar: each test sees exactly what the server answered.
    private readonly HttpClient _browser = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.AdminAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _browser.Dispose();

    private string SameOrigin => fixture.AdminAddress.GetLeftPart(UriPartial.Authority);

    private static HttpRequestMessage Login(string token, string? origin = null, string? fetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/dashboard/login")
        {
            Content = new FormUrlEncodedContent([new("token", token)]),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }
        return request;
    }

    private async Task<string> SignInAsync()
    {
        using var response = await _browser.SendAsync(Login(AdminFixture.Token, SameOrigin, "same-origin"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private Task<HttpResponseMessage> GetAsync(string path, string? cookie = null, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return _browser.SendAsync(request);
    }

    [Fact]
    public async Task Dashboard_WithoutSession_RedirectsToLoginAndDataIs401()
    {
        using var page = await GetAsync("/dashboard");
        using var status = await GetAsync("/dashboard/api/status");
        using var traffic = await GetAsync("/dashboard/api/traffic", bearer: AdminFixture.Token + "x");
        using var login = await GetAsync("/dashboard/login");

        Assert.Equal((HttpStatusCode.Redirect, "/dashboard/login"), (page.StatusCode, page.Headers.Location?.OriginalString));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (status.StatusCode, traffic.StatusCode));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("name=\"token\"", await login.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Login_RightToken_SetsHttpOnlyStrictCookieThatOpensThePageUntilLogout()
    {
        using var response = await _browser.SendAsync(Login(AdminFixture.Token, SameOrigin, "same-origin"));
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        var cookie = setCookie.Split(';')[0];

        Assert.Equal((HttpStatusCode.Redirect, "/dashboard"), (response.StatusCode, response.Headers.Location?.OriginalString));
        Assert.StartsWith($"{DashboardGuard.CookieName}=", cookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie.Replace("samesite", "", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminFixture.Token, setCookie);

        using (var page = await GetAsync("/dashboard", cookie))
        using (var status = await GetAsync("/dashboard/api/status", cookie))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (page.StatusCode, status.StatusCode));
            Assert.True((await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token_required").GetBoolean());
        }

        var logout = new HttpRequestMessage(HttpMethod.Post, "/dashboard/logout");
        logout.Headers.Add("Cookie", cookie);
        using var loggedOut = await _browser.SendAsync(logout);
        using var after = await GetAsync("/dashboard/api/status", cookie);

        Assert.Equal((HttpStatusCode.Redirect, "/dashboard/login"), (loggedOut.StatusCode, loggedOut.Headers.Location?.OriginalString));
        Assert.Contains("expires=Thu, 01 Jan 1970", loggedOut.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Login_WrongToken_Returns401FormWithoutCookie()
    {
        using var response = await _browser.SendAsync(Login(AdminFixture.Token + "x", SameOrigin, "same-origin"));
        using var empty = await _browser.SendAsync(Login("", SameOrigin, "same-origin"));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (response.StatusCode, empty.StatusCode));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("That is not the admin token.", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("http://evil.test", "cross-site")]
    [InlineData("http://evil.test", null)]
    [InlineData(null, "same-site")]
    public async Task Login_FromAnotherSite_Returns403WithoutCookie(string? origin, string? fetchSite)
    {
        using var response = await _browser.SendAsync(Login(AdminFixture.Token, origin, fetchSite));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Login_RebindingHost_Returns403()
    {
        var request = Login(AdminFixture.Token);
        request.Headers.Host = $"evil.test:{fixture.AdminAddress.Port}";

        using var response = await _browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Login_OversizedOrNotAForm_Returns413Or415()
    {
        var big = new HttpRequestMessage(HttpMethod.Post, "/dashboard/login")
        {
            Content = new StringContent("token=" + new string('a', 10_000), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        var json = new HttpRequestMessage(HttpMethod.Post, "/dashboard/login") { Content = JsonContent.Create(new { token = AdminFixture.Token }) };
        var manyFields = new HttpRequestMessage(HttpMethod.Post, "/dashboard/login")
        {
            Content = new StringContent(string.Join('&', Enumerable.Range(0, 50).Select(i => $"f{i}=1")), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        // As clients send large bodies: the 413 comes before the body is sent, so no write races the server's close.
        big.Headers.ExpectContinue = true;
        using var bigResponse = await _browser.SendAsync(big);
        // Refused before its body was read, the connection closes: the other requests go on fresh ones.
        _browser.DefaultRequestHeaders.ConnectionClose = true;
        using var jsonResponse = await _browser.SendAsync(json);
        using var manyResponse = await _browser.SendAsync(manyFields);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bigResponse.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, jsonResponse.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, manyResponse.StatusCode);
    }

    [Fact]
    public async Task Data_WithBearerToken_Returns200()
    {
        using var status = await GetAsync("/dashboard/api/status", bearer: AdminFixture.Token);
        using var traffic = await GetAsync("/dashboard/api/traffic", bearer: AdminFixture.Token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status.StatusCode, traffic.StatusCode));
    }

    [Fact]
    public async Task AdminApi_WithDashboardCookie_Returns401()
    {
        var cookie = await SignInAsync();

        using var response = await GetAsync("/api/serve/applications", cookie);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Page_Always_CarriesContentSecurityPolicyAndServesItsAssets()
    {
        var cookie = await SignInAsync();

        using var page = await GetAsync("/dashboard", cookie);
        using var script = await GetAsync("/dashboard/assets/uPlot.iife.min.js");
        using var styles = await GetAsync("/dashboard/assets/dashboard.css");
        using var html = await GetAsync("/dashboard/assets/dashboard.html");
        var body = await page.Content.ReadAsStringAsync();

        Assert.Equal(DashboardGuard.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<script>", body);
        Assert.Contains("<script src=\"/dashboard/assets/dashboard.js\" defer></script>", body);
        Assert.Equal((HttpStatusCode.OK, "text/javascript"), (script.StatusCode, script.Content.Headers.ContentType?.MediaType));
        Assert.StartsWith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */", await script.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, styles.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, html.StatusCode);
    }

    [Fact]
    public async Task Dashboard_OnTheGatewayPort_IsNotServed()
    {
        using var response = await fixture.Gateway.GetAsync("/dashboard/api/traffic");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Traffic_AfterRequests_CountsThemInThePerSecondPoints()
    {
        using (var put = await fixture.Admin.PutAsync("/api/serve/applications", new StringContent(TextConfig, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        await fixture.Serve.WaitForAsync(s => s.Applications.GetValueOrDefault("text")?.State == ApplicationState.Running);
        await fixture.WaitForRouteAsync("/text");
        var before = await RequestsAsync();

        const int requests = 25;
        for (var i = 0; i < requests; i++)
        {
            using var response = await fixture.Gateway.PostAsJsonAsync("/text", new { text = "the service is great" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Each point closes within a second; other gateways in this test process must not be counted.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var counted = 0.0;
        while ((counted = await RequestsAsync() - before) < requests && !deadline.IsCancellationRequested)
        {
            await Task.Delay(100, CancellationToken.None);
        }
        await Task.Delay(TrafficRecorder.Interval * 2);
        Assert.Equal(requests, await RequestsAsync() - before);
        Assert.Equal(requests, counted);

        using var status = await GetAsync("/dashboard/api/status", bearer: AdminFixture.Token);
        var text = (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("applications").GetProperty("text");
        Assert.Equal("RUNNING", text.GetProperty("status").GetString());
        Assert.True(text.GetProperty("deployments").GetProperty("TextPipeline").TryGetProperty("recent_scaling_decisions", out _));
    }

    private async Task<double> RequestsAsync()
    {
        using var response = await GetAsync("/dashboard/api/traffic", bearer: AdminFixture.Token);
        var traffic = await response.Content.ReadFromJsonAsync<JsonElement>();
        return traffic.GetProperty("requests_per_second").EnumerateArray().Sum(r => r.GetDouble()) * traffic.GetProperty("interval_seconds").GetDouble();
    }
}
