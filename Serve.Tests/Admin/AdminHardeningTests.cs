using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serve.Tests.Configuration;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Admin;

/// <summary>The admin API without a token (the default) against what a web page, a DNS rebinding or a hostile body can send.</summary>
public sealed class AdminHardeningTests(OpenAdminFixture fixture) : IClassFixture<OpenAdminFixture>
{
    private const string Applications = "/api/serve/applications";

    private string Port => fixture.AdminAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string SameOrigin => $"http://127.0.0.1:{Port}";

    private static HttpRequestMessage Request(HttpMethod method, string path, string? host = null, string? origin = null, string? fetchSite = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
            request.Headers.Add("Sec-Fetch-Mode", "cors");
        }
        return request;
    }

    private async Task<string> RunKeptAppAsync()
    {
        var name = $"kept-{Guid.NewGuid():N}";
        await fixture.Serve.RunAsync(ConfigApps.Greeter(new GreeterArgs { Greeting = "Hi" }), name, routePrefix: null);
        return name;
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    [Fact]
    public async Task Delete_RebindingHostAndOrigin_Returns403AndDeletesNothing()
    {
        var kept = await RunKeptAppAsync();

        using var response = await fixture.Admin.SendAsync(Request(HttpMethod.Delete, Applications, host: $"evil.test:{Port}", origin: $"http://evil.test:{Port}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith($"the Host header 'evil.test:{Port}' is not an address of this admin API.", await DetailAsync(response));
        Assert.Contains(kept, (await fixture.Serve.GetStatusAsync()).Applications.Keys);
        await fixture.Serve.DeleteAsync(kept);
    }

    [Theory]
    [InlineData("cross-site", "https://evil.example")]
    [InlineData("same-site", "http://127.0.0.1:3000")]
    public async Task Delete_FromAnotherSitesPage_Returns403AndDeletesNothing(string fetchSite, string origin)
    {
        var kept = await RunKeptAppAsync();

        using var withOrigin = await fixture.Admin.SendAsync(Request(HttpMethod.Delete, $"{Applications}/{kept}", origin: origin, fetchSite: fetchSite));
        using var fetchSiteOnly = await fixture.Admin.SendAsync(Request(HttpMethod.Delete, $"{Applications}/{kept}", fetchSite: fetchSite));
        using var originOnly = await fixture.Admin.SendAsync(Request(HttpMethod.Delete, $"{Applications}/{kept}", origin: origin));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (withOrigin.StatusCode, fetchSiteOnly.StatusCode, originOnly.StatusCode));
        Assert.StartsWith($"a web page on another site sent this request (Sec-Fetch-Site: {fetchSite}, Origin: {origin}).", await DetailAsync(withOrigin));
        Assert.StartsWith($"a web page at '{origin}' sent this request", await DetailAsync(originOnly));
        Assert.Contains(kept, (await fixture.Serve.GetStatusAsync()).Applications.Keys);
        await fixture.Serve.DeleteAsync(kept);
    }

    [Fact]
    public async Task Calls_SameOriginPageOrNonBrowserClient_Succeed()
    {
        var kept = await RunKeptAppAsync();

        using var page = await fixture.Admin.SendAsync(Request(HttpMethod.Get, Applications, origin: SameOrigin, fetchSite: "same-origin"));
        using var typed = await fixture.Admin.SendAsync(Request(HttpMethod.Get, Applications, fetchSite: "none"));
        using var byLocalhost = await fixture.Admin.SendAsync(Request(HttpMethod.Get, Applications, host: $"localhost:{Port}"));
        using var cli = await fixture.Admin.GetAsync(Applications);
        using var delete = await fixture.Admin.SendAsync(Request(HttpMethod.Delete, $"{Applications}/{kept}", origin: SameOrigin, fetchSite: "same-origin"));

        Assert.Equal(
            (HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Accepted),
            (page.StatusCode, typed.StatusCode, byLocalhost.StatusCode, cli.StatusCode, delete.StatusCode));
        Assert.False(page.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Calls_FromAnAllowedOrigin_PassWithCorsHeadersAndPreflight()
    {
        var preflight = Request(HttpMethod.Options, Applications, origin: OpenAdminFixture.AllowedOrigin, fetchSite: "cross-site");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        using var preflightResponse = await fixture.Admin.SendAsync(preflight);
        using var get = await fixture.Admin.SendAsync(Request(HttpMethod.Get, Applications, origin: OpenAdminFixture.AllowedOrigin, fetchSite: "cross-site"));

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.OK), (preflightResponse.StatusCode, get.StatusCode));
        Assert.Equal(OpenAdminFixture.AllowedOrigin, preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PUT", preflightResponse.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal(OpenAdminFixture.AllowedOrigin, get.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Put_BodyOverTheLimit_Returns413WithOrWithoutContentLength()
    {
        var yaml = Encoding.UTF8.GetBytes("applications: []\n#" + new string('x', 1024 * 1024) + "\n");
        var (sized, detail) = await PutRawAsync(yaml, chunked: false);
        var (streamed, _) = await PutRawAsync(yaml, chunked: true);
        using var small = await fixture.Admin.PutAsync(Applications, new StringContent("applications: []\n", Encoding.UTF8, "application/yaml"));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.OK), (sized, streamed, small.StatusCode));
        Assert.Equal("The admin API takes bodies of at most 1048576 bytes (Serve:Admin:MaxRequestBodySize).", detail);
    }

    [Fact]
    public async Task Put_YamlBombs_Return400NamingTheLineAndTheGatewayLives()
    {
        using var cycle = await fixture.Admin.PutAsync(Applications, new StringContent("applications: &a [*a]\n", Encoding.UTF8, "application/yaml"));
        using var laughs = await fixture.Admin.PutAsync(Applications, new StringContent(ConfigYamlReaderTests.BillionLaughs(), Encoding.UTF8, "application/yaml"));
        using var deep = await fixture.Admin.PutAsync(Applications, new StringContent(new string('[', 100_000), Encoding.UTF8, "application/yaml"));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (cycle.StatusCode, laughs.StatusCode, deep.StatusCode));
        static async Task<string> Error(HttpResponseMessage response) =>
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Single().GetString()!;
        Assert.Equal("applications[0]: line 1, column 19: the alias *a is inside the node its anchor names, so it would repeat itself forever.", await Error(cycle));
        Assert.StartsWith("l3[7]: line 4, column 45: the config holds more than 10,000 values", await Error(laughs));
        Assert.Equal($"{string.Concat(Enumerable.Repeat("[0]", 64))}: line 1, column 65: lists and mappings nest deeper than 64 levels.", await Error(deep));
        using var alive = await fixture.Admin.GetAsync(Applications);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    /// <summary>
    /// PUTs <paramref name="body"/> over a raw socket, with its Content-Length or (<paramref name="chunked"/>) in one chunk
    /// (no length for the gateway to check first), and returns the status the gateway answered and its problem's detail.
    /// Kestrel answers 413 and closes the connection while the client may still be writing: HttpClient may then report the
    /// failed write instead of the answer (seen on a loaded machine), so the write's failure is ignored here and the
    /// answer read from what arrived.
    /// </summary>
    private async Task<(HttpStatusCode Status, string? Detail)> PutRawAsync(byte[] body, bool chunked)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, fixture.AdminAddress.Port);
        var stream = socket.GetStream();
        var framing = chunked ? $"Transfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n" : $"Content-Length: {body.Length}\r\n\r\n";
        var head = Encoding.ASCII.GetBytes($"PUT {Applications} HTTP/1.1\r\nHost: 127.0.0.1:{Port}\r\nContent-Type: application/yaml\r\nConnection: close\r\n{framing}");
        try
        {
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
            if (chunked)
            {
                await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // The gateway stopped reading once the body passed the limit.
        }
        // The answer ends with the connection (Connection: close, and Kestrel closes after a 413 anyway).
        var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // Reset after the answer: what arrived is read below.
        }
        var text = Encoding.UTF8.GetString(received.ToArray());
        var status = (HttpStatusCode)int.Parse(text.Split("\r\n")[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var json = text.IndexOf('{', StringComparison.Ordinal) is var start and >= 0 ? text[start..(text.LastIndexOf('}') + 1)] : null;
        var detail = json is null ? null : JsonDocument.Parse(json).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        return (status, detail);
    }
}
