using Serve.Tests.Infrastructure;

namespace Serve.Tests.Serialization;

/// <summary>
/// The user's own types (no Orleans package or attribute) through typed and by-name handles between replicas on
/// different silos: before the JSON fallback, a call that crossed silos failed with CodecNotFoundException.
/// </summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class UserTypesAcrossSilosTests(ThreeSiloFixture fixture)
{
    internal static Document Sample(int i) => new()
    {
        Title = $"doc {i}",
        Body = $"the cat and the Dog and THE bird {i}",
        StopWords = ["and"],
        Meta = new DocumentMeta { Written = new DateTimeOffset(2026, 11, 29, 8, 0, i, TimeSpan.Zero), Tags = ["a", "b"], Top = 2 },
    };

    internal static void AssertCounted(Document document, CountResult result)
    {
        Assert.Equal(7, result.Total);
        Assert.Equal(3, result.Counts["the"]);
        Assert.Equal(1, result.Counts["dog"]);
        Assert.Equal([new WordStat("the", 3), new WordStat(document.Title[4..], 1)], result.Top);
    }

    [Fact]
    public async Task SummarizeAsync_SummarizersOnThreeSilosOneCounter_RecordsClassesCollectionsAndNestedTypesCrossBothWays()
    {
        // One counter for summarizers on three silos: two of them call it on another silo (routers prefer their own
        // silo's replica, so a counter on every silo would keep each call at home).
        var handle = await fixture.ExternalServe.RunAsync<ISummarizer>(Summarizer.App(replicas: 3, counters: 1), "user-types", null);
        var status = (await fixture.Serve.GetStatusAsync()).Deployment("user-types", nameof(Summarizer));
        Assert.Equal(3, status.Replicas.Select(r => r.Silo).Distinct().Count());

        var summaries = new List<Summary>();
        for (var i = 0; i < 30; i++)
        {
            var document = Sample(i);
            var summary = await handle.Remote.SummarizeAsync(document);
            Assert.Equal(document.Title, summary.Title);
            AssertCounted(document, summary.Typed);
            AssertCounted(document, summary.ByName);
            summaries.Add(summary);
        }

        // The external client spreads the calls over the summarizers, and two of three are not on the counter's silo.
        Assert.Contains(summaries, s => s.Typed.Silo != s.Silo);
        Assert.Contains(summaries, s => s.ByName.Silo != s.Silo);
        await fixture.ExternalServe.DeleteAsync("user-types");
    }

    [Fact]
    public async Task CallAsync_ExternalClientToOtherSilo_ObjectTypedValuesAndCollectionExpressionsArriveWhole()
    {
        var handle = await fixture.ExternalServe.RunAsync<IWordCounter>(Deployment.For<WordCounter>().Bind(), "user-values", null);
        var sent = new CountResult { Total = 2, Counts = new() { ["x"] = 2 }, Top = [new WordStat("x", 2)], Silo = "caller" };

        var echoed = Assert.IsType<CountResult>(await handle.Remote.EchoAsync(sent));
        var length = await handle.Remote.TotalLengthAsync(["one", "three"]);
        var nested = Assert.IsType<List<Summary>>(await handle.Method("Echo").CallAsync<object>([new List<Summary> { new("t", sent, sent, "s") }], CancellationToken.None));

        Assert.Equal(2, echoed.Counts["x"]);
        Assert.Equal([new WordStat("x", 2)], echoed.Top);
        Assert.Equal(8, length);
        Assert.Equal("caller", Assert.Single(nested).ByName.Silo);
        await fixture.ExternalServe.DeleteAsync("user-values");
    }

    [Fact]
    public async Task CallAsync_TypeThatCannotCrossToOtherSilo_SameErrorAsInOneSiloEveryTime()
    {
        var handle = await fixture.ExternalServe.RunAsync<IWordCounter>(Deployment.For<WordCounter>().Options(o => o with { NumReplicas = 3 }).Bind(), "opaque-remote", null);

        for (var i = 0; i < 6; i++)
        {
            var argument = await Assert.ThrowsAsync<TypeNotSerializableException>(() => handle.Remote.EchoAsync(new Opaque(i)));
            var result = await Assert.ThrowsAsync<TypeNotSerializableException>(() => handle.Remote.MakeOpaqueAsync(i));
            Assert.Contains("Argument 1 of EchoAsync on deployment 'opaque-remote/WordCounter'", argument.Message);
            Assert.Contains("Serve.Tests.Serialization.Opaque._secret", argument.Message);
            Assert.Contains("The result of MakeOpaqueAsync", result.Message);
            Assert.Contains("Serve.Tests.Serialization.Opaque._secret", result.Message);
        }
        await fixture.ExternalServe.DeleteAsync("opaque-remote");
    }
}
