using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serve.Routing;
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
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

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

    [Fact]
    public async Task Forward_IngressRenamedUnderRequests_OldOrNewIngressAnswersOnly()
    {
        const string app = "renamed";
        const string prefix = "/renamed";
        await fixture.Serve.RunAsync(Ingress("first"), app, prefix);
        var answers = new Answers();
        using var stop = new CancellationTokenSource();
        var callers = Hammer([prefix], answers, stop.Token);

        foreach (var ingress in new[] { "second", "first", "second" })
        {
            await fixture.Serve.RunAsync(Ingress(ingress), app, prefix);
            // Once the update is done, every gateway routes to the new ingress.
            Assert.Equal(ingress, await fixture.Http.GetStringAsync($"{prefix}?kind=string"));
        }
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        await fixture.Serve.DeleteAsync(app);

        Assert.True(answers.Only(HttpStatusCode.OK), answers.ToString());
        Assert.Equal(["first", "second"], answers.Bodies.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Forward_RequestWaitingForAnIngressRenamedMeanwhile_AnsweredByTheNewIngress()
    {
        const string app = "handover";
        const string prefix = "/handover";
        await fixture.Serve.RunAsync(Deployment.For<EchoIngress>().Options(o => o with { Name = "first", MaxOngoingRequests = 1 }).Bind("first"), app, prefix);
        var gate = Gate.Create(Guid.NewGuid().ToString("N"));
        var held = fixture.Http.GetStringAsync($"{prefix}?kind=hold&gate={gate.Name}");
        try
        {
            await gate.WhenArrivedAsync(1).WaitAsync(Patience);
            // Waits in the gateway for the first ingress, full with the held request, until the update deletes it.
            var waiting = fixture.Http.GetAsync($"{prefix}?kind=string");
            var router = fixture.GatewayServices.GetRequiredService<ReplicaDirectory>().GetRouter(new DeploymentId(app, "first"));
            await Poll.UntilAsync(() => router.QueuedRequests == 1 || waiting.IsCompleted, Patience);

            var update = fixture.Serve.RunAsync(Ingress("second"), app, prefix);
            using var answer = await waiting.WaitAsync(Patience);

            Assert.Equal((HttpStatusCode.OK, "second"), (answer.StatusCode, await answer.Content.ReadAsStringAsync()));
            gate.Open();
            Assert.Equal("held", await held.WaitAsync(Patience));
            await update.WaitAsync(Patience);
        }
        finally
        {
            gate.Open();
            await Record.ExceptionAsync(() => held);
        }
        await fixture.Serve.DeleteAsync(app);
    }

    [Fact]
    public async Task Forward_RoutePrefixChangedUnderRequests_OldOrNewPrefix404OrTheAnswer()
    {
        const string app = "moved";
        string[] prefixes = ["/moved-a", "/moved-b"];
        await fixture.Serve.RunAsync(Ingress("moved"), app, prefixes[0]);
        var answers = new Answers();
        using var stop = new CancellationTokenSource();
        var callers = Hammer(prefixes, answers, stop.Token);

        for (var round = 1; round <= 3; round++)
        {
            var (now, before) = (prefixes[round % 2], prefixes[(round + 1) % 2]);
            await fixture.Serve.RunAsync(Ingress("moved"), app, now);
            // Once the update is done, every gateway routes the new prefix, and the old one is no application's.
            Assert.Equal("moved", await fixture.Http.GetStringAsync($"{now}?kind=string"));
            await fixture.WaitForNotFoundAsync(before);
        }
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        await fixture.Serve.DeleteAsync(app);

        Assert.True(answers.Only(HttpStatusCode.OK, HttpStatusCode.NotFound), answers.ToString());
        Assert.Equal(["moved"], answers.Bodies);
    }

    /// <summary>The echo ingress under the deployment name <paramref name="name"/>, answering its name.</summary>
    private static BoundDeployment Ingress(string name) => Deployment.For<EchoIngress>().Options(o => o with { Name = name }).Bind(name);

    /// <summary>Four callers that GET the prefixes in turn until <paramref name="stop"/>, each answer counted.</summary>
    private Task[] Hammer(string[] prefixes, Answers answers, CancellationToken stop) => Enumerable.Range(0, 4).Select(caller => Task.Run(async () =>
    {
        for (var i = caller; !stop.IsCancellationRequested; i++)
        {
            using var response = await fixture.Http.GetAsync($"{prefixes[i % prefixes.Length]}?kind=string", CancellationToken.None);
            answers.Add(response.StatusCode, await response.Content.ReadAsStringAsync(CancellationToken.None));
        }
    })).ToArray();

    /// <summary>The status codes callers saw, the distinct bodies of 200s, and the first body of any other answer.</summary>
    private sealed class Answers
    {
        private readonly ConcurrentDictionary<HttpStatusCode, int> _codes = new();
        private readonly ConcurrentDictionary<string, bool> _bodies = new();
        private readonly ConcurrentBag<string> _others = [];

        public IEnumerable<string> Bodies => _bodies.Keys;

        public void Add(HttpStatusCode code, string body)
        {
            _codes.AddOrUpdate(code, 1, (_, n) => n + 1);
            if (code == HttpStatusCode.OK)
            {
                _bodies[body] = true;
            }
            else if (code != HttpStatusCode.NotFound)
            {
                _others.Add(body);
            }
        }

        public bool Only(params HttpStatusCode[] codes) => _codes.Keys.All(codes.Contains) && _codes.ContainsKey(HttpStatusCode.OK);

        public override string ToString() =>
            $"answers: {string.Join(", ", _codes.Select(a => $"{(int)a.Key}×{a.Value}"))}; {_others.FirstOrDefault()}";
    }
}
