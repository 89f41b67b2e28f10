using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serve.Samples.Multiplexed;
using Serve.Tests.Batching;
using Serve.Tests.Infrastructure;
using Serve.Tests.Multiplexing;

namespace Serve.Tests.Gateway;

/// <summary>Batching and multiplexing behind the real gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ModelServingHttpTests(GatewayFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Forward_EightConcurrentRequestsToABatchingIngress_RunAsTwoBatchesOfFour()
    {
        const string name = "http-batch";
        var recorder = BatchRecorder.Create(name);
        await fixture.Serve.RunAsync(Deployment.For<BatchedIngress>().Bind(name), name, "/http-batch");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/http-batch"));

        var words = Enumerable.Range(0, 8).Select(i => $"w{i}").ToArray();
        var answers = await Task.WhenAll(words.Select(w => Http.GetStringAsync($"/http-batch?word={w}")));

        Assert.Equal(words.Select(w => w.ToUpperInvariant()), answers);
        Assert.Equal([4, 4], recorder.Batches.Select(b => b.Count));
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Forward_ModelIdHeader_ReachesTheHandlerAndRequestsStayWhereTheModelIsLoaded()
    {
        const string name = "http-zoo";
        var ledger = ZooLedger.Create(name);
        await fixture.Serve.RunAsync(Deployment.For<ModelZooIngress>().Bind(name), name, "/http-zoo");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/http-zoo"));

        var answers = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/http-zoo");
            request.Headers.Add(global::Serve.MultiplexedModel.IdHeader, "tenant-7");
            var response = await Http.SendAsync(request);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.All(answers, a => Assert.StartsWith("tenant-7:tenant-7:", a));
        Assert.Single(answers.Distinct());
        Assert.Single(ledger.Loads);
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Forward_ModelIdHeaderWithControlCharactersOrTooLong_Answers400NamingTheHeader()
    {
        const string name = "http-zoo-bad";
        ZooLedger.Create(name);
        await fixture.Serve.RunAsync(Deployment.For<ModelZooIngress>().Bind(name), name, "/http-zoo-bad");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/http-zoo-bad"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/http-zoo-bad");
        request.Headers.TryAddWithoutValidation(global::Serve.MultiplexedModel.IdHeader, new string('m', 300));
        var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("serve_multiplexed_model_id", await response.Content.ReadAsStringAsync());
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task MultiplexedSample_ModelChosenByHeader_ClassifiesWithThatModelAndExplainsMissingOrUnknownModelsAndNonJsonBodies()
    {
        const string name = "sample-zoo";
        await fixture.Serve.RunAsync(ClassifierZoo.App(), name, "/sample-zoo");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/sample-zoo"));

        async Task<HttpResponseMessage> ClassifyAsync(string? model, string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/sample-zoo") { Content = JsonContent.Create(new { text }) };
            if (model is not null)
            {
                request.Headers.Add(global::Serve.MultiplexedModel.IdHeader, model);
            }
            return await Http.SendAsync(request);
        }

        var spam = await (await ClassifyAsync("spam", "win a free prize now")).Content.ReadFromJsonAsync<JsonElement>();
        var topic = await (await ClassifyAsync("topic", "the striker scored in the final")).Content.ReadFromJsonAsync<JsonElement>();
        var unnamed = await ClassifyAsync(null, "hello");
        var unknown = await ClassifyAsync("weather", "hello");
        using var form = new HttpRequestMessage(HttpMethod.Post, "/sample-zoo") { Content = new StringContent("{\"text\":\"win a free prize\"}", Encoding.UTF8, "application/x-www-form-urlencoded") };
        form.Headers.Add(global::Serve.MultiplexedModel.IdHeader, "spam");
        var notJson = await Http.SendAsync(form);

        Assert.Equal(("spam", "spam"), (spam.GetProperty("model").GetString(), spam.GetProperty("label").GetString()));
        Assert.Equal("sport", topic.GetProperty("label").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        Assert.Contains("serve_multiplexed_model_id", await unnamed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown model 'weather'", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Contains("content-type: application/json", await notJson.Content.ReadAsStringAsync());
        await fixture.Serve.DeleteAsync(name);
    }
}
