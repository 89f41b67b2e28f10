using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Serialization;

/// <summary>Over HTTP through a real gateway: a minimal-API ingress binds the user's record and passes it through a typed handle to replicas on both silos.</summary>
[Collection(GatewayCollection.Name)]
public sealed class UserTypesHttpTests(GatewayFixture fixture)
{
    [Fact]
    public async Task PostCount_CounterReplicasOnBothSilos_UserRecordsCrossAndComeBackAsJson()
    {
        var counter = Deployment.For<WordCounter>().Options(o => o with { NumReplicas = 2 }).Bind();
        await fixture.Serve.RunAsync(Deployment.For<WordsEndpoints>().Bind(counter), "words", "/words");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/words"));

        var silos = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await fixture.Http.PostAsJsonAsync("/words/count", new { text = "a b a c", stopWords = new[] { "c" }, options = new { caseSensitive = true, top = 1 } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = (await response.Content.ReadFromJsonAsync<JsonElement>())!;
            Assert.Equal(3, result.GetProperty("total").GetInt32());
            Assert.Equal(2, result.GetProperty("counts").GetProperty("a").GetInt32());
            Assert.Equal("a", result.GetProperty("top")[0].GetProperty("word").GetString());
            silos.Add(result.GetProperty("silo").GetString()!);
        }

        // One ingress replica, counters on both silos: some calls crossed between silos.
        Assert.Equal(2, silos.Count);
        await fixture.Serve.DeleteAsync("words");
    }

    [Fact]
    public async Task PostCount_WrongFieldType_400ProblemDetailsNamingTheField()
    {
        var counter = Deployment.For<WordCounter>().Bind();
        await fixture.Serve.RunAsync(Deployment.For<WordsEndpoints>().Bind(counter), "words-bad", "/words-bad");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/words-bad"));

        using var content = new StringContent("""{"text": "a", "stopWords": [], "options": {"caseSensitive": "yes", "top": 1}}""", Encoding.UTF8, "application/json");
        using var response = await fixture.Http.PostAsync("/words-bad/count", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("$.options.caseSensitive", problem.GetProperty("field").GetString());
        Assert.Equal("request", problem.GetProperty("parameter").GetString());
        await fixture.Serve.DeleteAsync("words-bad");
    }
}
