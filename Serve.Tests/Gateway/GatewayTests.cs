using System.Net;
using System.Net.Http.Json;
using System.Text;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class GatewayTests(GatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task RunEchoAsync(string app, string prefix, string label, Func<DeploymentOptions, DeploymentOptions>? options = null, TimeSpan? requestTimeout = null)
    {
        var bound = Deployment.For<EchoIngress>().Options(options ?? (o => o)).Bind(label);
        await fixture.Serve.RunAsync(bound, new RunOptions { Name = app, RoutePrefix = prefix, RequestTimeout = requestTimeout });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault(prefix) == app);
    }

    [Theory]
    [InlineData("header", "a%0D%0AX-Injected:%20yes")]
    [InlineData("header", "Jos%C3%A9")]
    [InlineData("header-stream", "a%0D%0AX-Injected:%20yes")]
    [InlineData("header-stream", "Jos%C3%A9")]
    public async Task Forward_HandlerSetsAHeaderKestrelRefuses_ServerErrorNamingIt(string kind, string value)
    {
        // Kestrel refuses control and non-ASCII characters in a response header: the application's fault (500, as
        // Kestrel answers a handler that sets one), named, never the gateway's (502), and never a header of its own.
        await RunEchoAsync("bad-header-" + kind, "/bad-header-" + kind, "bad-header");

        using var response = await Http.GetAsync($"/bad-header-{kind}?kind={kind}&value={value}");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("x-echo", body);
        Assert.False(response.Headers.Contains("X-Injected"));
        Assert.False(response.Headers.Contains("x-echo"));
        Assert.Equal("with header", await Http.GetStringAsync($"/bad-header-{kind}?kind=header&value=fine"));
        await fixture.Serve.DeleteAsync("bad-header-" + kind);
    }

    [Fact]
    public async Task Forward_NestedPrefixes_LongestPrefixWinsAndTableFollowsChanges()
    {
        await RunEchoAsync("root", "/", "root");
        await RunEchoAsync("api", "/api", "api");
        await RunEchoAsync("api-v2", "/api/v2", "v2");

        var v2 = await Http.GetFromJsonAsync<EchoReply>("/api/v2/models?x=1");
        var api = await Http.GetFromJsonAsync<EchoReply>("/api/v2x");
        var root = await Http.GetFromJsonAsync<EchoReply>("/apix/y");

        Assert.Equal(("v2", "/api/v2", "/models", "?x=1"), (v2!.Label, v2.PathBase, v2.Path, v2.Query));
        Assert.Equal(("api", "/api", "/v2x"), (api!.Label, api.PathBase, api.Path));
        Assert.Equal(("root", "", "/apix/y"), (root!.Label, root.PathBase, root.Path));

        await fixture.Serve.DeleteAsync("api-v2");
        await fixture.WaitForRoutesAsync(r => !r.ContainsKey("/api/v2"));
        Assert.Equal("api", (await Http.GetFromJsonAsync<EchoReply>("/api/v2/models"))!.Label);
        await fixture.Serve.DeleteAsync("api");
        await fixture.Serve.DeleteAsync("root");
    }

    [Fact]
    public async Task Forward_HandlerResults_StringIsTextObjectIsJsonResultIsExecuted()
    {
        await RunEchoAsync("kinds", "/kinds", "kinds");

        using var text = await Http.GetAsync("/kinds?kind=string");
        using var json = await Http.PostAsync("/kinds/p", new StringContent("payload", Encoding.UTF8, "text/plain"));
        using var result = await Http.GetAsync("/kinds?kind=result");

        Assert.Equal("text/plain; charset=utf-8", text.Content.Headers.ContentType!.ToString());
        Assert.Equal("kinds", await text.Content.ReadAsStringAsync());
        Assert.Equal("application/json; charset=utf-8", json.Content.Headers.ContentType!.ToString());
        var echo = await json.Content.ReadFromJsonAsync<EchoReply>();
        Assert.Equal(("POST", "/p", "payload"), (echo!.Method, echo.Path, echo.Body));
        Assert.Equal(HttpStatusCode.Accepted, result.StatusCode);
        Assert.Equal("kinds", (await result.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["label"]);
        await fixture.Serve.DeleteAsync("kinds");
    }

    [Fact]
    public async Task Forward_EndpointsIngress_RouteParametersBindingDiFiltersAndResults()
    {
        await fixture.Serve.RunAsync(Deployment.For<ShopEndpoints>().Bind(), "shop", "/shop");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/shop"));

        var item = await Http.GetFromJsonAsync<Dictionary<string, decimal>>("/shop/items/4");
        using var created = await Http.PostAsJsonAsync("/shop/items", new Item(7, "lamp"));
        using var forbidden = await Http.GetAsync("/shop/guarded");
        var allowed = await Http.GetStringAsync("/shop/guarded?key=ok");
        using var missing = await Http.GetAsync("/shop/items/not-a-number");

        Assert.Equal(6m, item!["price"]);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/items/7", created.Headers.Location!.ToString());
        Assert.Equal(new Item(7, "lamp"), await created.Content.ReadFromJsonAsync<Item>());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("inside", allowed);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await fixture.Serve.DeleteAsync("shop");
    }

    [Fact]
    public async Task Forward_RequestId_TakenFromRequestEchoedAndGeneratedWhenMissing()
    {
        await RunEchoAsync("ids", "/ids", "ids");

        using var given = new HttpRequestMessage(HttpMethod.Get, "/ids");
        given.Headers.Add("x-request-id", "my-id-1");
        using var withId = await Http.SendAsync(given);
        using var withoutId = await Http.GetAsync("/ids");

        Assert.Equal("my-id-1", (await withId.Content.ReadFromJsonAsync<EchoReply>())!.RequestId);
        Assert.Equal("my-id-1", withId.Headers.GetValues("x-request-id").Single());
        var generated = withoutId.Headers.GetValues("x-request-id").Single();
        Assert.Equal(32, generated.Length);
        Assert.Equal(generated, (await withoutId.Content.ReadFromJsonAsync<EchoReply>())!.RequestId);
        await fixture.Serve.DeleteAsync("ids");
    }

    [Fact]
    public async Task Forward_StreamingHandler_FirstChunkArrivesBeforeHandlerFinishes()
    {
        var gate = Gate.Create(nameof(Forward_StreamingHandler_FirstChunkArrivesBeforeHandlerFinishes));
        await RunEchoAsync("stream", "/stream", "stream");

        using var response = await Http.GetAsync($"/stream?kind=stream&gate={gate.Name}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        await gate.WhenArrivedAsync(1);
        var rest = reader.ReadToEndAsync();
        Assert.False(rest.IsCompleted);
        gate.Open();

        Assert.Equal("first", first);
        Assert.Equal("second\n", await rest);
        await fixture.Serve.DeleteAsync("stream");
    }

    [Fact]
    public async Task Forward_ServerSentEvents_FirstEventArrivesBeforeLast()
    {
        var gate = Gate.Create(nameof(Forward_ServerSentEvents_FirstEventArrivesBeforeLast));
        await fixture.Serve.RunAsync(Deployment.For<ShopEndpoints>().Bind(), "sse", "/sse-shop");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/sse-shop"));

        using var response = await Http.GetAsync($"/sse-shop/sse?gate={gate.Name}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("data: first", await reader.ReadLineAsync());
        await gate.WhenArrivedAsync(1);
        gate.Open();

        Assert.Contains("data: second", await reader.ReadToEndAsync());
        await fixture.Serve.DeleteAsync("sse");
    }

    [Fact]
    public async Task Forward_ClientDisconnects_UserCodeCancelled()
    {
        var gate = Gate.Create(nameof(Forward_ClientDisconnects_UserCodeCancelled));
        await RunEchoAsync("disconnect", "/disconnect", "disconnect");
        using var cancel = new CancellationTokenSource();

        var request = Http.GetAsync($"/disconnect?kind=hold&gate={gate.Name}", cancel.Token);
        await gate.WhenArrivedAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Serve.DeleteAsync("disconnect");
    }

    [Fact]
    public async Task Forward_ClientDisconnectsMidStream_HandlerCancelledAndExchangeClosed()
    {
        var gate = Gate.Create(nameof(Forward_ClientDisconnectsMidStream_HandlerCancelledAndExchangeClosed));
        await RunEchoAsync("mid-stream", "/mid-stream", "mid-stream");

        var response = await Http.GetAsync($"/mid-stream?kind=stream&gate={gate.Name}", HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("first", await reader.ReadLineAsync());
        await gate.WhenArrivedAsync(1);
        response.Dispose();

        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Serve.DeleteAsync("mid-stream");
    }

    [Fact]
    public async Task Forward_ApplicationTimeoutPasses_Answers408AndCancelsWork()
    {
        var gate = Gate.Create(nameof(Forward_ApplicationTimeoutPasses_Answers408AndCancelsWork));
        await RunEchoAsync("slow", "/slow", "slow", requestTimeout: PassingTimeout.Value);

        using var response = await Http.GetAsync($"/slow?kind=hold&gate={gate.Name}");

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Contains("timeout", await response.Content.ReadAsStringAsync());
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Serve.DeleteAsync("slow");
    }

    [Fact]
    public async Task Forward_QueueFull_Answers503WithRetryAfterAtOnce()
    {
        var gate = Gate.Create(nameof(Forward_QueueFull_Answers503WithRetryAfterAtOnce));
        await RunEchoAsync("busy", "/busy", "busy", o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 });
        var held = Http.GetAsync($"/busy?kind=hold&gate={gate.Name}");
        await gate.WhenArrivedAsync(1);

        using var refused = await Http.GetAsync("/busy?kind=string");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal(1, gate.Arrived);
        gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        await fixture.Serve.DeleteAsync("busy");
    }

    [Fact]
    public async Task Forward_LongPathUnderNoRoute_404QuotesItCut()
    {
        await RunEchoAsync("errors", "/errors", "errors");
        await fixture.WaitForNotFoundAsync("/no-such-app");

        using var notFound = await Http.GetAsync("/" + new string('x', 6000));

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        var body = await notFound.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("/" + new string('x', 299) + "…", body.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Forward_Errors_404And413And500HaveShortJsonBodies()
    {
        await RunEchoAsync("errors", "/errors", "errors");

        using var notFound = await fixture.WaitForNotFoundAsync("/no-such-app");
        using var misspelled = await fixture.WaitForNotFoundAsync("/erorrs/items");
        // As clients send large bodies (Expect: 100-continue): the 413 comes before the body, so no write races the close.
        var oversized = new HttpRequestMessage(HttpMethod.Post, "/errors") { Content = new ByteArrayContent(new byte[GatewayFixture.MaxRequestBodySize + 1]) };
        oversized.Headers.ExpectContinue = true;
        using var tooLarge = await Http.SendAsync(oversized);
        using var failed = await Http.GetAsync("/errors?kind=fail");

        var notFoundBody = await notFound.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Contains("/errors", notFoundBody.GetProperty("routes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("no application serves this path", notFoundBody.GetProperty("error").GetString());
        var misspelledBody = await misspelled.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("no application serves this path; did you mean /errors?", misspelledBody.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var error = await failed.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("System.InvalidOperationException", error.GetProperty("type").GetString());
        Assert.Equal("echo failed on purpose", error.GetProperty("message").GetString());
        Assert.Equal(failed.Headers.GetValues("x-request-id").Single(), error.GetProperty("request_id").GetString());
        Assert.False(error.TryGetProperty("stack_trace", out _));
        Assert.Equal("errors", await Http.GetStringAsync("/errors?kind=string"));
        await fixture.Serve.DeleteAsync("errors");
    }

    [Fact]
    public async Task Forward_MalformedRequests_GatewayKeepsServing()
    {
        await RunEchoAsync("robust", "/robust", "robust");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Http.BaseAddress!.Host, fixture.Http.BaseAddress.Port);
        await tcp.GetStream().WriteAsync("GET /robust HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n"u8.ToArray());
        var buffer = new byte[256];
        var read = await tcp.GetStream().ReadAsync(buffer);

        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(buffer, 0, read));
        Assert.Equal("robust", await Http.GetStringAsync("/robust?kind=string"));
        await fixture.Serve.DeleteAsync("robust");
    }

    [Theory]
    [InlineData(204, "")]
    [InlineData(304, "")]
    [InlineData(204, "a body a 204 may not carry")]
    [InlineData(205, "")]
    public async Task Forward_StatusWithoutBody_AnsweredWithoutContentLengthOrBody(int status, string body)
    {
        await RunEchoAsync("bodiless", "/bodiless", "bodiless");

        using var response = await Http.GetAsync($"/bodiless?kind=status&code={status}&body={Uri.EscapeDataString(body)}");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        await fixture.Serve.DeleteAsync("bodiless");
    }

    [Theory]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n", "Bad chunk size data.")]
    [InlineData("ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n", "Bad chunk size data.")]
    [InlineData("5\r\nhello0\r\n\r\n", "Bad chunk suffix.")]
    public async Task Forward_MalformedChunkedBody_Answers400NotAnEmpty200(string chunks, string reason)
    {
        await RunEchoAsync("chunks", "/chunks", "chunks");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Http.BaseAddress!.Host, fixture.Http.BaseAddress.Port);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks));
        var buffer = new byte[1024];
        var read = await tcp.GetStream().ReadAsync(buffer);

        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 400", answer);
        Assert.Contains($"the request body was refused: {reason}", answer);
        await fixture.Serve.DeleteAsync("chunks");
    }

    [Fact]
    public async Task Forward_Connect_Answers405WithoutTunnelling()
    {
        await RunEchoAsync("connect", "/connect", "connect");
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Http.BaseAddress!.Host, fixture.Http.BaseAddress.Port);
        await tcp.GetStream().WriteAsync("CONNECT /connect HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        var buffer = new byte[1024];
        var read = await tcp.GetStream().ReadAsync(buffer);

        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 405", answer);
        Assert.Contains("CONNECT", answer);
        await fixture.Serve.DeleteAsync("connect");
    }

    [Fact]
    public async Task Forward_ReplicaOnOtherSilo_ServesThroughGateway()
    {
        await RunEchoAsync("spread-http", "/spread", "spread", o => o with { NumReplicas = 2 });
        var replicas = (await fixture.Serve.GetStatusAsync()).Deployment("spread-http", "EchoIngress").Replicas;
        Assert.Equal(2, replicas.Select(r => r.Silo).Distinct().Count());

        var silos = new HashSet<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (silos.Count < 2)
        {
            silos.Add((await Http.GetFromJsonAsync<EchoReply>("/spread", deadline.Token))!.Silo);
        }

        Assert.Contains(silos, s => s != fixture.GatewaySilo);
        await fixture.Serve.DeleteAsync("spread-http");
    }

    [Fact]
    public async Task SystemEndpoints_HealthzAndRoutes_DescribeGateway()
    {
        await RunEchoAsync("system", "/system", "system");

        Assert.Equal("success", await Http.GetStringAsync("/-/healthz"));
        var routes = await Http.GetFromJsonAsync<Dictionary<string, string>>("/-/routes");
        Assert.Equal("system", routes!["/system"]);
        await fixture.Serve.DeleteAsync("system");
    }
}
