using System.Collections.Concurrent;
using System.Net;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>
/// An application created and deleted while requests keep arriving at its route prefix: a client sees 404 (no route yet,
/// or none any more) or the application's answer, never a 503 saying its deployment does not exist (the route published
/// before the deployments took their spec, or left on a gateway after they were gone).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ApplicationLifecycleHttpTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Forward_ApplicationCreatedThenDeletedUnderRequests_404OrItsAnswerNever503()
    {
        const string app = "lifecycle";
        const string prefix = "/lifecycle";
        await fixture.WaitForNotFoundAsync(prefix);
        var answers = new ConcurrentDictionary<HttpStatusCode, int>();
        var bodies = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await fixture.Http.GetAsync($"{prefix}?kind=string", CancellationToken.None);
                answers.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
                {
                    bodies.Add(await response.Content.ReadAsStringAsync(CancellationToken.None));
                }
            }
        })).ToArray();

        for (var round = 0; round < 3; round++)
        {
            await fixture.Serve.RunAsync(Deployment.For<EchoIngress>().Bind("lifecycle"), app, prefix);
            await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault(prefix) == app);
            Assert.Equal("lifecycle", await fixture.Http.GetStringAsync($"{prefix}?kind=string"));
            await fixture.Serve.DeleteAsync(app);
            // Once the delete is done, no gateway routes to the application.
            await fixture.WaitForNotFoundAsync(prefix);
        }
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.True(answers.Keys.All(code => code is HttpStatusCode.OK or HttpStatusCode.NotFound),
            $"answers: {string.Join(", ", answers.Select(a => $"{(int)a.Key}×{a.Value}"))}; {bodies.FirstOrDefault()}");
        Assert.True(answers.GetValueOrDefault(HttpStatusCode.OK) > 0);
    }
}
