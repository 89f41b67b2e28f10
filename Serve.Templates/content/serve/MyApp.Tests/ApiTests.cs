using System.Net.Http.Json;
using Serve;
using Serve.Testing;

namespace MyApp.Tests;

public sealed class ApiTests
{
    [Fact]
    public async Task PostCount_Sentence_AnswersItsWordCount()
    {
        await using var serve = await ServeTestHost.StartAsync(Api.App());

        using var response = await serve.Http.PostAsJsonAsync("/count", new CountRequest("the quick brown fox"));

        response.EnsureSuccessStatusCode();
        Assert.Equal(new CountResponse(4), await response.Content.ReadFromJsonAsync<CountResponse>());
    }

    [Fact]
    public async Task CountAsync_ThroughAHandle_CountsWords()
    {
        await using var serve = await ServeTestHost.StartAsync(Deployment.For<WordCounter>().Bind());

        var counter = await serve.Client.GetAppHandleAsync<IWordCounter>();

        Assert.Equal(2, await counter.Remote.CountAsync("hello world"));
    }
}
