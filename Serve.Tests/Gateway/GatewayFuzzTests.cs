using System.Diagnostics;
using System.Net;
using Serve.Tests.Gateway.Fuzz;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class GatewayFuzzTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const int Seed = 13;
    private const int Count = 10_000;

    [Fact]
    public async Task Forward_TenThousandMalformedRequests_NoPlatform5xxNoHangAndStillServing()
    {
        await fixture.Serve.RunAsync(Deployment.For<FuzzIngress>().Bind(), "fuzz", "/fuzz");
        await fixture.WaitForRoutesAsync(r => r.ContainsKey("/fuzz"));
        var cases = FuzzCases.Generate(Count, Seed, "/fuzz");
        var clock = Stopwatch.StartNew();

        var report = await GatewayFuzzer.RunAsync(fixture.Http.BaseAddress!.Host, fixture.Http.BaseAddress.Port, cases, parallelism: 16, answerTimeout: TimeSpan.FromSeconds(15), CancellationToken.None);

        output.WriteLine($"Gateway fuzz, seed {Seed}: {report.Cases} exchanges in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(report.Format());
        output.WriteLine("The first exchange of each kind (sent => answer body):");
        output.WriteLine(report.FormatExamples());
        Assert.Equal(Count, report.Cases);
        Assert.Empty(report.PlatformErrors);
        Assert.Equal(0, report.TimedOut);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.GetAsync("/-/healthz")).StatusCode);
        Assert.StartsWith("GET /", await fixture.Http.GetStringAsync("/fuzz/after"));
        await fixture.Serve.DeleteAsync("fuzz");
    }
}
