using System.Net;
using Serve.Tests.Batches;
using Serve.Tests.Infrastructure;
using Serve.Tests.Multiplexed;

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
            request.Headers.Add(global::Serve.Multiplexing.ModelIdHeader, "tenant-7");
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
        request.Headers.TryAddWithoutValidation(global::Serve.Multiplexing.ModelIdHeader, new string('m', 300));
        var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("serve_multiplexed_model_id", await response.Content.ReadAsStringAsync());
        await fixture.Serve.DeleteAsync(name);
    }
}
