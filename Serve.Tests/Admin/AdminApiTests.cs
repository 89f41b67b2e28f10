using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serve.Admin;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Admin;

[Collection(AdminCollection.Name)]
public sealed class AdminApiTests(AdminFixture fixture) : IAsyncLifetime
{
    private const string TextConfig = """
        applications:
          - name: text
            route_prefix: /text
            import_path: Serve.Samples:TextPipeline
            deployments:
              - {name: Tokenizer, num_replicas: 1, user_config: {stop_words: [the]}}
        """;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private async Task<ServeDetails> GetAsync() => (await fixture.Admin.GetFromJsonAsync<ServeDetails>("/api/serve/applications", AdminJson.Options))!;

    private async Task<ServeDetails> WaitAsync(Func<ServeDetails, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ServeDetails details;
        while (!condition(details = await GetAsync()))
        {
            await Task.Delay(20, deadline.Token);
        }
        return details;
    }

    [Theory]
    [InlineData("GET", "/api/serve/applications")]
    [InlineData("PUT", "/api/serve/applications")]
    [InlineData("DELETE", "/api/serve/applications")]
    [InlineData("GET", "/api/serve/applications/text")]
    [InlineData("DELETE", "/api/serve/applications/text")]
    [InlineData("GET", "/api/serve/applications/text/deployments/Tokenizer")]
    [InlineData("GET", "/api/serve/applications/text/deployments/Tokenizer/replicas/x/0")]
    [InlineData("GET", "/api/serve/openapi/serve-admin.json")]
    public async Task Call_WithoutOrWithWrongToken_Returns401(string method, string path)
    {
        using var anonymous = await fixture.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Yaml("applications: []") });
        var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = Yaml("applications: []") };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.Token + "x");
        using var rejected = await fixture.Anonymous.SendAsync(wrong);
        var basic = new HttpRequestMessage(new HttpMethod(method), path);
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", AdminFixture.Token);
        using var otherScheme = await fixture.Anonymous.SendAsync(basic);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (anonymous.StatusCode, rejected.StatusCode, otherScheme.StatusCode));
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("SERVE_ADMIN_TOKEN", await anonymous.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FullCycle_WithToken_DeploysShowsDetailsAndDeletes()
    {
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        var applied = await put.Content.ReadFromJsonAsync<ApplyConfigResponse>(AdminJson.Options);
        var details = await WaitAsync(d => d.Applications.GetValueOrDefault("text")?.Status == ApplicationState.Running);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(new[] { "text" }, applied!.Created);
        var text = details.Applications["text"];
        Assert.Equal(("/text", "TextPipeline"), (text.RoutePrefix, text.IngressDeployment));
        Assert.Equal("Serve.Samples:TextPipeline", text.DeployedAppConfig!.Value.GetProperty("import_path").GetString());
        var tokenizer = text.Deployments["Tokenizer"];
        Assert.Equal((DeploymentState.Healthy, 1, 16), (tokenizer.Status, tokenizer.TargetReplicas, tokenizer.DeploymentConfig!.Value.GetProperty("max_ongoing_requests").GetInt32()));

        // The application serves on the gateway port.
        await fixture.WaitForRouteAsync("/text");
        using var analysis = await fixture.Gateway.PostAsJsonAsync("/text", new { text = "the service is great" });
        var body = await analysis.Content.ReadAsStringAsync();
        Assert.True(analysis.IsSuccessStatusCode, body);
        Assert.Equal("positive", JsonDocument.Parse(body).RootElement.GetProperty("sentiment").GetString());

        // Details per application, deployment and replica.
        var app = await fixture.Admin.GetFromJsonAsync<ApplicationDetails>("/api/serve/applications/text", AdminJson.Options);
        var deployment = await fixture.Admin.GetFromJsonAsync<DeploymentDetails>("/api/serve/applications/text/deployments/Tokenizer", AdminJson.Options);
        var replicaId = deployment!.Replicas.Single().ReplicaId;
        var byFullId = await fixture.Admin.GetFromJsonAsync<ReplicaDetails>($"/api/serve/applications/text/deployments/Tokenizer/replicas/{replicaId}", AdminJson.Options);
        var byShortId = await fixture.Admin.GetFromJsonAsync<ReplicaDetails>($"/api/serve/applications/text/deployments/Tokenizer/replicas/{replicaId["text/Tokenizer/".Length..]}", AdminJson.Options);
        Assert.Equal(3, app!.Deployments.Count);
        Assert.Equal((replicaId, ReplicaState.Running), (byFullId!.ReplicaId, byFullId.State));
        Assert.Equal(byFullId, byShortId);
        using var missing = await fixture.Admin.GetAsync("/api/serve/applications/text/deployments/Nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Known: SentimentScorer, TextPipeline, Tokenizer.", await missing.Content.ReadAsStringAsync());

        using var delete = await fixture.Admin.DeleteAsync("/api/serve/applications/text");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await WaitAsync(d => d.Applications.Count == 0);
        using var gone = await fixture.Admin.DeleteAsync("/api/serve/applications/text");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task GetApplications_NothingChangedThenAConfigApplied_ServesTheBuiltViewThenShowsTheChange()
    {
        var first = await fixture.Admin.GetStringAsync("/api/serve/applications");
        var builds = fixture.StatusCache.Builds;

        var again = await fixture.Admin.GetStringAsync("/api/serve/applications");
        Assert.Equal(first, again);
        Assert.Equal(builds, fixture.StatusCache.Builds);

        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        put.EnsureSuccessStatusCode();
        var details = await GetAsync();
        Assert.Equal(new[] { "text" }, details.Applications.Keys);
        Assert.Equal(builds + 1, fixture.StatusCache.Builds);
    }

    [Fact]
    public async Task GetStatusViewAsync_KnownVersion_AnswersNothingUntilTheStatusChanges()
    {
        var view = await fixture.Controller.GetStatusViewAsync(long.MinValue);
        Assert.NotNull(view);
        Assert.Null(await fixture.Controller.GetStatusViewAsync(view.Version));

        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        put.EnsureSuccessStatusCode();
        var next = await fixture.Controller.GetStatusViewAsync(view.Version);

        Assert.NotNull(next);
        Assert.Contains("text", next.Status.Applications.Keys);
        Assert.Equal(new[] { "text" }, next.Applications.Select(s => s.Name));
    }

    [Fact]
    public async Task GetApplication_StatusMovingWhileItDeploys_NeverBuildsTheWholeStatus()
    {
        var builds = fixture.StatusCache.Builds;

        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        put.EnsureSuccessStatusCode();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ApplicationDetails? text;
        while ((text = await fixture.Admin.GetFromJsonAsync<ApplicationDetails>("/api/serve/applications/text", AdminJson.Options, deadline.Token))?.Status != ApplicationState.Running)
        {
            await Task.Delay(20, deadline.Token);
        }
        var deployment = await fixture.Admin.GetFromJsonAsync<DeploymentDetails>("/api/serve/applications/text/deployments/Tokenizer", AdminJson.Options);

        // Each read asked the controller for "text" alone, though the snapshot moved with every replica that started.
        Assert.Equal(builds, fixture.StatusCache.Builds);
        Assert.Equal(1, deployment?.RunningReplicas);
        using var missing = await fixture.Admin.GetAsync("/api/serve/applications/nothing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Known: text.", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetApplicationViewAsync_OtherApplicationChanges_AnswersNothingUntilThisOneChanges()
    {
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        put.EnsureSuccessStatusCode();
        await WaitAsync(d => d.Applications["text"].Status == ApplicationState.Running);
        var view = await fixture.Controller.GetApplicationViewAsync("text", long.MinValue);
        Assert.Equal(ApplicationState.Running, view?.Status?.State);

        await fixture.Serve.RunAsync(Deployment.For<Deployments.Greeter>().Bind("other"), "other", null);
        Assert.Null(await fixture.Controller.GetApplicationViewAsync("text", view!.Version));

        await fixture.Serve.DeleteAsync("other");
        using var delete = await fixture.Admin.DeleteAsync("/api/serve/applications/text");
        var next = await fixture.Controller.GetApplicationViewAsync("text", view.Version);
        Assert.NotNull(next);
        Assert.True(next.Status is null || next.Status.State == ApplicationState.Deleting);
        Assert.Null((await fixture.Controller.GetApplicationViewAsync("nothing", view.Version))?.Status);
    }

    [Fact]
    public async Task Put_CodeRunApplicationNotInTheConfig_LeavesItRunningAndSaysSo()
    {
        await fixture.Serve.RunAsync(Deployment.For<Tests.Deployments.Greeter>().Bind("code"), "coded", null);

        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(["coded"], body.GetProperty("kept").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(body.GetProperty("deleted").EnumerateArray());
        var details = await WaitAsync(d => d.Applications.GetValueOrDefault("text")?.Status == ApplicationState.Running);
        Assert.Equal(ApplicationState.Running, details.Applications["coded"].Status);
    }

    [Fact]
    public async Task Put_ReplicaCountPastTheBound_Returns400NamingItAndAppliesNothing()
    {
        // b's import fails too, so that nothing is applied whether or not the count is refused: a billion replicas of a
        // deployment ran the silo of its grain out of memory.
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml("""
            applications:
              - {name: a, route_prefix: /a, import_path: "Serve.Samples:TextPipeline", deployments: [{name: Tokenizer, num_replicas: 1000000000}]}
              - {name: b, route_prefix: /b, import_path: "Serve.Samples:Nothing"}
            """));
        var problem = await put.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal("applications[0].deployments[0].num_replicas: must be at most 10000 (got 1000000000).", errors[0]);
        Assert.Equal(2, errors.Count);
        Assert.Empty((await GetAsync()).Applications);
    }

    [Fact]
    public async Task Put_InvalidConfig_Returns400WithEveryErrorAndAppliesNothing()
    {
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml("""
            applications:
              - {name: a, route_prefix: /a, import_path: "Serve.Samples:TextPipeline", deployments: [{name: Tokenizer, num_replicas: -1}]}
              - {name: b, route_prefix: /a, import_path: "Serve.Samples:Nothing"}
            """));
        var problem = await put.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("The config is invalid; nothing was applied.", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Equal("applications[0].deployments[0].num_replicas: must be ≥ 0 (got -1).", errors[0]);
        Assert.StartsWith("applications[1].route_prefix: '/a' is also the route_prefix of applications[0]", errors[1]);
        Assert.StartsWith("applications[1].import_path: assembly 'Serve.Samples' has no public type or builder 'Nothing'.", errors[2]);
        Assert.Empty((await GetAsync()).Applications);
    }

    [Fact]
    public async Task Put_HttpOptionsOfAnotherPort_AppliedWithAWarning()
    {
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml("http_options: {port: 1}\napplications: []"));
        var applied = await put.Content.ReadFromJsonAsync<ApplyConfigResponse>(AdminJson.Options);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.StartsWith("http_options.port: 1 differs from this gateway's 0 and was not applied", Assert.Single(applied!.Warnings));
    }

    [Fact]
    public async Task Put_MaxOngoingRequestsBelowMaxBatchSize_AnswersTheBuildWarning()
    {
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml("""
            applications:
              - name: batched
                route_prefix: null
                import_path: Serve.Tests:ConfigApps.Batched
                deployments:
                  - {name: BatchedUpper, max_ongoing_requests: 2}
            """));
        var applied = await put.Content.ReadFromJsonAsync<ApplyConfigResponse>(AdminJson.Options);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var warning = Assert.Single(applied!.Warnings);
        Assert.StartsWith("application 'batched': deployment 'BatchedUpper': MaxOngoingRequests (2) is below BatchedUpper.UpperAsync's MaxBatchSize (4)", warning);
    }

    [Fact]
    public async Task DeleteAll_DeletesEveryApplication()
    {
        using var put = await fixture.Admin.PutAsync("/api/serve/applications", Yaml(TextConfig));
        await WaitAsync(d => d.Applications.GetValueOrDefault("text")?.Status == ApplicationState.Running);

        using var delete = await fixture.Admin.DeleteAsync("/api/serve/applications");

        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(new[] { "text" }, (await delete.Content.ReadFromJsonAsync<DeletingResponse>(AdminJson.Options))!.Deleting);
        await WaitAsync(d => d.Applications.Count == 0);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheAdminApiAndItsToken()
    {
        var document = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/serve/openapi/serve-admin.json");

        Assert.Equal("Serve admin API", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths");
        Assert.Equal(
            ["/api/serve/applications", "/api/serve/applications/{name}", "/api/serve/applications/{name}/deployments/{deployment}", "/api/serve/applications/{name}/deployments/{deployment}/replicas/{replica}", "/api/serve/routes"],
            paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var operations = paths.GetProperty("/api/serve/applications");
        Assert.True(operations.TryGetProperty("put", out var put) && put.TryGetProperty("requestBody", out _));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Ports_KeepTheirOwnEndpoints()
    {
        // The admin port serves no application route nor gateway endpoint; the gateway port no admin endpoint.
        using var healthOnAdmin = await fixture.Admin.GetAsync("/-/healthz");
        using var appOnAdmin = await fixture.Admin.GetAsync("/text");
        using var adminOnGateway = await fixture.Gateway.GetAsync("/api/serve/applications");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/serve/applications");
        request.Headers.Host = $"127.0.0.1:{fixture.AdminAddress.Port}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminFixture.Token);
        using var spoofedHost = await fixture.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, healthOnAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, appOnAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, adminOnGateway.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, spoofedHost.StatusCode);
    }
}
