using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless browser: Debian's chromium (apt-get install chromium; test.sh installs it), driven
/// by Playwright for .NET, which downloads no browser of its own. Set SERVE_CHROMIUM to use another executable.
/// </summary>
[Collection(AdminCollection.Name)]
[Trait("Category", "Browser")]
[Trait("Category", "Cluster")]
public sealed class DashboardBrowserTests(AdminFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Config = """
        applications:
          - name: text
            route_prefix: /text
            import_path: Serve.Samples:TextPipeline
            deployments:
              - name: TextPipeline
                max_ongoing_requests: 2
                autoscaling_config: {min_replicas: 1, max_replicas: 3, target_ongoing_requests: 1, upscale_delay_s: 1, downscale_delay_s: 600, look_back_period_s: 1, burst_window_s: 0.5}
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => fixture.ResetAsync();

    private static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable("SERVE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            Assert.Fail($"No Chromium at '{path}': the dashboard's browser test needs Debian's chromium. Install it with `sudo apt-get install chromium` "
                + "(./test.sh does when it is missing), or point SERVE_CHROMIUM at a Chromium executable.");
        }
        return path;
    }

    private static string ResultsDirectory()
    {
        var directory = Environment.GetEnvironmentVariable("SERVE_TEST_RESULTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(directory);
        return directory;
    }

    [Fact]
    public async Task Dashboard_InChromium_RefusesWithoutTokenListsApplicationsAndChartsTraffic()
    {
        var chromium = ChromiumPath();
        using (var put = await fixture.Admin.PutAsync("/api/serve/applications", new StringContent(Config, Encoding.UTF8, "application/yaml")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
        await fixture.Serve.WaitForAsync(s => s.Applications.GetValueOrDefault("text")?.State == ApplicationState.Running);
        await fixture.WaitForRouteAsync("/text");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1100 } });
        context.SetDefaultTimeout((float)Deadline.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add(message.Text);
                }
            }
        };
        var dashboard = new Uri(fixture.AdminAddress, "/dashboard").ToString();

        // Without a session: sent to the login form, and the data endpoints refuse the page's own fetches.
        var first = await page.GotoAsync(dashboard);
        Assert.EndsWith("/dashboard/login", page.Url);
        Assert.Equal(200, first!.Status);
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/dashboard/api/status')).status"));
        await page.FillAsync("#token", "not-the-admin-token-at-all");
        await page.ClickAsync("button[type=submit]");
        Assert.EndsWith("/dashboard/login", page.Url);
        Assert.Equal("That is not the admin token.", (await page.Locator("p.error").TextContentAsync())?.Trim());
        Assert.Equal(0, await page.Locator("#applications").CountAsync());

        // With the token: the page, its applications and replicas.
        await page.FillAsync("#token", AdminFixture.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(dashboard);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "serve-dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        await page.WaitForFunctionAsync("() => window.serveDashboard && window.serveDashboard.refreshes > 0");
        var app = page.Locator("article.app[data-application='text']");
        await app.WaitForAsync();
        Assert.Contains("RUNNING", await app.Locator("h3").TextContentAsync());
        // TextPipeline 1, Tokenizer 2, SentimentScorer 1.
        Assert.Equal(4, await app.Locator("tr.replica").CountAsync());
        Assert.False(await page.Locator("#logout").IsHiddenAsync());

        // A load run; then every chart has points, and the requests chart counts exactly the run's requests.
        const string ChartedRequests = "window.serveDashboard.charts.requests.data[1].reduce((a, b) => a + b, 0)";
        await page.WaitForFunctionAsync("() => window.serveDashboard.refreshes > 1");
        var before = await page.EvaluateAsync<double>($"() => {ChartedRequests}");
        var answered = await LoadAsync(TimeSpan.FromSeconds(6), connections: 8);
        output.WriteLine($"load run: {answered} requests answered in 6 s over 8 connections");
        await page.WaitForFunctionAsync("() => window.serveDashboard.charts.requests.data[1].filter(v => v > 0).length >= 3");
        await page.WaitForFunctionAsync("() => window.serveDashboard.charts.latency.data[2].some(v => v !== null && v > 0)");
        foreach (var chart in new[] { "requests", "latency", "errors", "replicas" })
        {
            Assert.Equal(1, await page.Locator($"#chart-{chart} canvas").CountAsync());
            Assert.True(await page.EvaluateAsync<int>($"() => window.serveDashboard.charts.{chart}.data[0].length") >= 3, chart);
        }
        await page.WaitForFunctionAsync($"([before, answered]) => {ChartedRequests} - before >= answered", new[] { before, answered });
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(answered, await page.EvaluateAsync<double>($"() => {ChartedRequests}") - before);
        Assert.True(await page.EvaluateAsync<bool>("() => window.serveDashboard.charts.replicas.data[1].some(v => v >= 3)"));

        var screenshot = Path.Combine(ResultsDirectory(), "dashboard-after-load.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // Logout ends the session: the page sends the browser back to the login form.
        await page.ClickAsync("#logout button");
        // Waited for until the navigation commits, not until the login page's load event: the URL is what logging out
        // changes, and under a loaded test run the load event once took past the wait's 30 s.
        await page.WaitForURLAsync(new Uri(fixture.AdminAddress, "/dashboard/login").ToString(), new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/dashboard/api/traffic')).status"));
        // A Content-Security-Policy violation (an inline script or style) would show here.
        output.WriteLine(string.Join("\n", consoleErrors));
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dashboard_InChromium_MarkupInADeploymentsMessageShownAsTextAndNeverRun()
    {
        // What a deployment's constructor throws reaches the page as its message: whoever writes the deployment, or the
        // config its exception quotes, chooses that text.
        const string Payload = "<img src=x onerror=\"window.__served=1\"><script>window.__served=2</script><b>bold</b>";
        var chromium = ChromiumPath();
        var name = $"markup-{Guid.NewGuid():N}";
        await Assert.ThrowsAsync<DeployFailedException>(() => fixture.Serve.RunAsync(Deployment.For<Serve.Tests.Deployments.ThrowingConstructor>()
            .Options(o => o with { MaxConstructorRetryCount = 1 }).Bind(Payload), name, routePrefix: null));
        Assert.Contains(Payload, (await fixture.Serve.GetStatusAsync()).Applications[name].Deployments.Values.Single().Message);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true });
        var context = await browser.NewContextAsync();
        context.SetDefaultTimeout((float)Deadline.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(fixture.AdminAddress, "/dashboard").ToString());
        await page.FillAsync("#token", AdminFixture.Token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForFunctionAsync("() => window.serveDashboard && window.serveDashboard.refreshes > 1");
        var app = page.Locator($"article.app[data-application='{name}']");
        await app.WaitForAsync();

        Assert.Contains(Payload, await app.TextContentAsync());
        Assert.Equal(0, await page.Locator("#applications img, #applications script, #applications b").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__served === undefined"));
        await fixture.Serve.DeleteAsync(name);
    }

    /// <summary>Posts to the text application from <paramref name="connections"/> loops for <paramref name="duration"/>; returns how many were answered.</summary>
    private async Task<int> LoadAsync(TimeSpan duration, int connections)
    {
        var answered = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                using var response = await fixture.Gateway.PostAsJsonAsync("/text", new { text = "the service is great" });
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Interlocked.Increment(ref answered);
            }
        }));
        return answered;
    }
}
