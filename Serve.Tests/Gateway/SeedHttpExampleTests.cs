using System.Net.Http.Json;
using Serve.Samples.BasicIngress;
using Serve.Samples.Composition;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class SeedHttpExampleTests(GatewayFixture fixture)
{
    [Fact]
    public async Task BasicIngress_GetWithJsonBody_GreetsName()
    {
        await fixture.Serve.RunAsync(MostBasicIngress.App(), "seed-basic", "/");
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/") == "seed-basic");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Content = JsonContent.Create(new { name = "Corey" }) };
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal("Hello Corey!", await response.Content.ReadAsStringAsync());
        await fixture.Serve.DeleteAsync("seed-basic");
    }

    [Theory]
    [InlineData("{\"name\": ", "LineNumber: 0")]
    [InlineData("deep", "maximum configured depth of 64")]
    public async Task BasicIngress_BodyNotJsonItCanRead_400NamingWhy(string body, string why)
    {
        await fixture.Serve.RunAsync(MostBasicIngress.App(), "seed-basic-bad", "/seed-basic-bad");
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/seed-basic-bad") == "seed-basic-bad");
        // Deeper than System.Text.Json reads (64 levels), under a property the record does not have.
        var sent = body == "deep" ? "{\"x\": " + new string('[', 100) + new string(']', 100) + "}" : body;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/seed-basic-bad") { Content = new StringContent(sent, System.Text.Encoding.UTF8, "application/json") };
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(why, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await fixture.Serve.DeleteAsync("seed-basic-bad");
    }

    [Fact]
    public async Task FastApiIngress_GetName_GreetsName()
    {
        await fixture.Serve.RunAsync(Serve.Samples.FastApiIngress.FastApiIngress.App(), "seed-fastapi", "/");
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/") == "seed-fastapi");

        Assert.Equal("Hello Corey!", await fixture.Http.GetStringAsync("/Corey"));
        await fixture.Serve.DeleteAsync("seed-fastapi");
    }

    [Fact]
    public async Task Composition_OverHttp_AnswersHelloWorld()
    {
        await fixture.Serve.RunAsync(Ingress.App(), "seed-http-composition", "/");
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/") == "seed-http-composition");

        Assert.Equal("Hello world!", await fixture.Http.GetStringAsync("/"));
        await fixture.Serve.DeleteAsync("seed-http-composition");
    }
}
