using Serve.Tests.Deployments.Composition;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>A pipeline (pre → model → post, two replicas each, on the workers) that an external client calls over the data plane.</summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class CompositionClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CallAsync_FailuresThreeDeploymentsDownAcrossSilos_RootTypeWholePathAndBoundedMessage()
    {
        await cluster.EnsureAllRunningAsync();
        var app = Deployment.For<Stage>().Options(o => o with { Name = "pre", NumReplicas = 2 }).Bind("pre",
            Deployment.For<Stage>().Options(o => o with { Name = "model", NumReplicas = 2 }).Bind("model",
                Deployment.For<Stage>().Options(o => o with { Name = "post", NumReplicas = 2 }).Bind("post", null)));
        var head = await cluster.Serve.RunAsync<IStage>(app, "compose-cluster", null);
        try
        {
            var custom = await Assert.ThrowsAsync<DeploymentCallException>(() => head.Remote.RunAsync(new StageOrder("custom")).WaitAsync(Patience));
            // A message quoting a whole input: without the cut it crossed every hop whole, and past 100 MiB broke on the frame limit.
            var huge = await Assert.ThrowsAsync<DeploymentCallException>(() => head.Remote.RunAsync(new StageOrder("huge", Size: 110_000_000)).WaitAsync(Patience));

            Assert.Equal(typeof(StageFault).FullName, custom.ExceptionType);
            Assert.Equal("compose-cluster/pre", custom.Deployment);
            Assert.Contains("'compose-cluster/model'", custom.OriginalMessage);
            Assert.Contains("'compose-cluster/post'", custom.OriginalMessage);
            Assert.Equal("System.InvalidOperationException", huge.ExceptionType);
            Assert.EndsWith("more characters cut)", huge.OriginalMessage);

            // Streams the client stops early end on every hop and give their slots back: more of them than the pipeline has
            // slots (2 replicas × 8), then a call still answers.
            for (var i = 0; i < 24; i++)
            {
                await foreach (var item in head.Remote.CountAsync(new StageOrder("endless")).WithCancellation(new CancellationTokenSource(Patience).Token))
                {
                    if (item == 2)
                    {
                        break;
                    }
                }
            }
            Assert.Equal("pre>model>post", await head.Remote.RunAsync(new StageOrder("ok")).WaitAsync(Patience));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync("compose-cluster");
        }
    }
}
