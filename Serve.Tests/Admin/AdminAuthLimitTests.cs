using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Admin;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Admin;

/// <summary>Token guessing on a gateway's admin port: after a few wrong tokens an address is refused, right token or not.</summary>
public sealed class AdminAuthLimitTests : IAsyncLifetime
{
    private const string Token = "limit-tests-token-0123456789";
    private const int Limit = 3;
    private WebApplication _gateway = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartWithAdminAsync("admin-limit-tests", o => (o.Token, o.MaxFailedAuthentications) = (Token, Limit));
        _admin = new HttpClient { BaseAddress = _gateway.Services.GetRequiredService<AdminListener>().Address!, Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<HttpResponseMessage> GetStatusAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/serve/applications");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _admin.SendAsync(request);
    }

    [Fact]
    public async Task Call_AfterTooManyWrongTokens_Returns429WithRetryAfterEvenWithTheRightToken()
    {
        using (var first = await GetStatusAsync(Token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await GetStatusAsync("not-the-token-but-long-enough");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var right = await GetStatusAsync(Token);
        using var login = await _admin.PostAsync("/dashboard/login", new FormUrlEncodedContent([new("token", Token)]));

        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.InRange(right.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), AuthFailureLimiter.Window);
        Assert.Contains("Serve:Admin:MaxFailedAuthentications", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
    }
}
