using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

public sealed class RequestLogTests
{
    [Fact]
    public async Task Request_UserLoggerAndAccessLog_CarryRequestIdUntilAccessLogSwitchedOff()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var app = await StartAsync(lines);
        using var http = new HttpClient { BaseAddress = app.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        await app.Services.GetRequiredService<IServeClient>().RunAsync(Deployment.For<LoggingIngress>().Bind(), new RunOptions { Name = "logged", RoutePrefix = "/logged" });

        // Routed first: a request answered 404 before the table arrives would write an access line of its own.
        await http.WaitForRoutesAsync(routes => routes.ContainsKey("/logged"));
        var body = await SendAsync(http, "req-logged-1");
        Assert.Equal("req-logged-1", body);
        var handled = Assert.Single(lines.Lines, l => l.Category == typeof(LoggingIngress).FullName);
        Assert.Equal(("Handling /hi", "req-logged-1"), (handled.Message, handled.Scope.GetValueOrDefault("ServeRequestId")));
        var access = await WaitForAsync(() => lines.Lines.Where(l => l.Category == "Serve.AccessLog" && l.Scope.GetValueOrDefault("ServeRequestId") as string == "req-logged-1"));
        Assert.Equal(LogLevel.Information, access.Level);
        Assert.Matches(@"^GET /logged/hi 200 \d+\.\d ms logged req-logged-1$", access.Message);

        // Switched off at run time: the next request writes no access line.
        app.Configuration["Serve:Http:AccessLog"] = "false";
        ((IConfigurationRoot)app.Configuration).Reload();
        Assert.Equal("req-logged-2", await SendAsync(http, "req-logged-2"));
        await WaitForAsync(() => lines.Lines.Where(l => l.Scope.GetValueOrDefault("ServeRequestId") as string == "req-logged-2" && l.Category == typeof(LoggingIngress).FullName));
        Assert.DoesNotContain(lines.Lines, l => l.Category == "Serve.AccessLog" && l.Message.Contains("req-logged-2", StringComparison.Ordinal));
        await app.StopAsync();
    }

    [Fact]
    public async Task Request_ClientGoneBeforeAnswer_AccessLogSays499Not200()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var app = await StartAsync(lines);
        using var http = new HttpClient { BaseAddress = app.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        await app.Services.GetRequiredService<IServeClient>().RunAsync(Deployment.For<LoggingIngress>().Bind(), new RunOptions { Name = "logged", RoutePrefix = "/logged" });
        Assert.Equal("req-before", await SendAsync(http, "req-before"));

        // The client gives up once the replica has the request: the gateway never answers it.
        using var gone = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/logged/wait");
        request.Headers.Add("x-request-id", "req-gone");
        var sending = http.SendAsync(request, gone.Token);
        await WaitForAsync(() => lines.Lines.Where(l => l.Message == "Handling /wait" && l.Scope.GetValueOrDefault("ServeRequestId") as string == "req-gone"));
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        var access = await WaitForAsync(() => lines.Lines.Where(l => l.Category == "Serve.AccessLog" && l.Scope.GetValueOrDefault("ServeRequestId") as string == "req-gone"));
        Assert.Matches(@"^GET /logged/wait 499 \d+\.\d ms logged req-gone$", access.Message);
        await app.StopAsync();
    }

    [Fact]
    public async Task Request_ApplicationRaises_AccessLineNamesTheDeploymentAndWhatItThrew()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var app = await StartAsync(lines);
        using var http = new HttpClient { BaseAddress = app.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        await app.Services.GetRequiredService<IServeClient>().RunAsync(
            Deployment.For<Serve.Tests.Deployments.Http.EchoIngress>().Bind("raising"), new RunOptions { Name = "raising", RoutePrefix = "/raising" });
        await http.WaitForRoutesAsync(routes => routes.ContainsKey("/raising"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/raising/?kind=fail");
        request.Headers.Add("x-request-id", "req-raising");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var access = await AccessLineAsync(lines, "req-raising");
        Assert.Matches(@"^GET /raising/ 500 \d+\.\d ms raising req-raising ""the application raised an exception: raising/EchoIngress threw System\.InvalidOperationException: echo failed on purpose""$", access.Message);
        await app.StopAsync();
    }

    [Fact]
    public async Task Request_GatewayAnswersAnError_AccessLineSaysWhyOnOneLine()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var app = await StartAsync(lines);
        using var http = new HttpClient { BaseAddress = app.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/nowhere");
        request.Headers.Add("x-request-id", "req-nowhere");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var access = await AccessLineAsync(lines, "req-nowhere");
        Assert.Matches(@"^GET /nowhere 404 \d+\.\d ms - req-nowhere ""no application serves this path""$", access.Message);
        await app.StopAsync();
    }

    [Fact]
    public async Task Request_LongMethodAndPath_AccessLineCutsThem()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var app = await StartAsync(lines);
        using var http = new HttpClient { BaseAddress = app.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        // Over HTTP/2 a path the client's header table holds costs it a byte or two per request: the line must not grow with it.
        using var request = new HttpRequestMessage(new HttpMethod(new string('M', 1000)), "/" + new string('p', 6000));
        request.Headers.Add("x-request-id", "req-long");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var access = await AccessLineAsync(lines, "req-long");
        Assert.Matches(@"^M{300}… /p{299}… 404 \d+\.\d ms - req-long ""no application serves this path""$", access.Message);
        await app.StopAsync();
    }

    [Fact]
    public async Task HandleCall_DeploymentLogs_CarryRequestIdWithTheirOwnScopes()
    {
        var lines = new ScopeRecordingLoggerProvider();
        await using var app = await StartAsync(lines);
        var handle = await app.Services.GetRequiredService<IServeClient>().RunAsync(Deployment.For<LoggingGreeter>().Bind(), "greeter", routePrefix: null);

        Assert.Equal("Hello, ada", await handle.WithOptions(new CallOptions { RequestId = "req-call-1" }).Method("GreetAsync").CallAsync<string>("ada"));
        var greeted = Assert.Single(lines.Lines, l => l.Message == "Greeting ada");
        Assert.Equal(("req-call-1", "ada"), (greeted.Scope.GetValueOrDefault("ServeRequestId"), greeted.Scope.GetValueOrDefault(LoggingGreeter.UserScopeKey)));

        // A stream's lines carry its request id too, each item's.
        var items = new List<int>();
        await foreach (var item in handle.WithOptions(new CallOptions { RequestId = "req-stream-1" }).Method("CountAsync").StreamAsync<int>([2]))
        {
            items.Add(item);
        }
        Assert.Equal([0, 1], items);
        var counted = lines.Lines.Where(l => l.Message.StartsWith("Counting", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, counted.Count);
        Assert.All(counted, l => Assert.Equal("req-stream-1", l.Scope.GetValueOrDefault("ServeRequestId")));

        // Outside any call, no request id.
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Serve.Tests.Outside").LogInformation("Outside");
        Assert.False(Assert.Single(lines.Lines, l => l.Message == "Outside").Scope.ContainsKey("ServeRequestId"));
        await app.StopAsync();
    }

    private static async Task<WebApplication> StartAsync(ScopeRecordingLoggerProvider lines)
    {
        var builder = TestGateway.CreateBuilder("log-tests");
        builder.Logging.ClearProviders().AddProvider(lines).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Serve.Tests", LogLevel.Information).AddFilter("Serve.AccessLog", LogLevel.Information);
        builder.Services.AddServeGateway(o => o.Port = 0);
        var app = builder.Build();
        app.MapServe();
        await app.StartAsync();
        return app;
    }

    private static async Task<string> SendAsync(HttpClient http, string requestId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/logged/hi");
            request.Headers.Add("x-request-id", requestId);
            using var response = await http.SendAsync(request, deadline.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadAsStringAsync(deadline.Token);
            }
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>The access line that names <paramref name="requestId"/>, once it is written.</summary>
    private static Task<ScopeRecordingLoggerProvider.Line> AccessLineAsync(ScopeRecordingLoggerProvider lines, string requestId) =>
        WaitForAsync(() => lines.Lines.Where(l => l.Category == "Serve.AccessLog" && l.Message.Contains(requestId, StringComparison.Ordinal)));

    private static async Task<ScopeRecordingLoggerProvider.Line> WaitForAsync(Func<IEnumerable<ScopeRecordingLoggerProvider.Line>> find)
    {
        await Poll.UntilAsync(() => find().Any(), TimeSpan.FromSeconds(30));
        return find().First();
    }
}
