using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Serve.Tests.Deployments.Composition;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Composition;

/// <summary>What an HTTP client of a pipeline (ingress → pre → model → post) is answered when a deployment down it fails.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CompositionHttpTests(GatewayFixture fixture)
{
    private async Task RunAsync(string app, string prefix)
    {
        var pipeline = Deployment.For<StageIngress>().Bind(
            Deployment.For<Stage>().Options(o => o with { Name = "pre" }).Bind("pre",
                Deployment.For<Stage>().Options(o => o with { Name = "model" }).Bind("model",
                    Deployment.For<Stage>().Options(o => o with { Name = "post", MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind("post", null))));
        await fixture.Serve.RunAsync(pipeline, new RunOptions { Name = app, RoutePrefix = prefix });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault(prefix) == app);
    }

    [Fact]
    public async Task Forward_DeploymentThreeDownFull_Answers503WithRetryAfterNaming()
    {
        await RunAsync("deep-full", "/deep-full");
        var gate = Gate.Create(nameof(Forward_DeploymentThreeDownFull_Answers503WithRetryAfterNaming));
        var held = fixture.Http.PostAsJsonAsync("/deep-full/run", new StageOrder("hold", gate.Name));
        await gate.WhenArrivedAsync(1);

        using var refused = await fixture.Http.PostAsJsonAsync("/deep-full/run", new StageOrder("ok"));

        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {body}");
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Serve.BackPressureException", answer.GetProperty("type").GetString());
        Assert.Contains("Deployment 'deep-full/post' is at capacity", answer.GetProperty("message").GetString());
        Assert.Equal(1, gate.Arrived);
        gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        await fixture.Serve.DeleteAsync("deep-full");
    }

    [Fact]
    public async Task Forward_ExceptionThreeDown_Answers500WithItsTypeAndInnerMessage()
    {
        await RunAsync("deep-500", "/deep-500");

        using var response = await fixture.Http.PostAsJsonAsync("/deep-500/run", new StageOrder("inner"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{(int)response.StatusCode}: {body}");
        Assert.False(response.Headers.Contains("Retry-After"));
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal("the application raised an exception", answer.GetProperty("error").GetString());
        Assert.Equal("System.InvalidOperationException", answer.GetProperty("type").GetString());
        Assert.EndsWith("could not load the model ---> System.IO.FileNotFoundException: weights.bin is missing", answer.GetProperty("message").GetString());
        await fixture.Serve.DeleteAsync("deep-500");
    }

    [Fact]
    public async Task Forward_CallOfTheIngressRanOutOfItsTime_Answers504NamingIt()
    {
        await RunAsync("deep-504", "/deep-504");
        var gate = Gate.Create(nameof(Forward_CallOfTheIngressRanOutOfItsTime_Answers504NamingIt));
        try
        {
            using var response = await fixture.Http.PostAsJsonAsync("/deep-504/run-within/300", new StageOrder("hold", gate.Name));

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.GatewayTimeout, $"{(int)response.StatusCode}: {body}");
            var answer = JsonDocument.Parse(body).RootElement;
            Assert.Equal(("a deployment the application called did not answer in time", "Serve.RequestTimeoutException"),
                (answer.GetProperty("error").GetString(), answer.GetProperty("type").GetString()));
        }
        finally
        {
            gate.Open();
            await fixture.Serve.DeleteAsync("deep-504");
        }
    }
}
