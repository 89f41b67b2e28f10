using Serve.Tests.Deployments.Composition;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Composition;

/// <summary>Shapes of values a pipeline passes on: deep and cyclic object graphs of the application's own types (JSON).</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class CompositionShapeTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task CallAsync_ChainDeeperThanJsonAllowsOrACycle_RefusedNamingTheLimitAndTheFix()
    {
        var head = await fixture.Serve.RunAsync<IStage>(Deployment.For<Stage>().Options(o => o with { Name = "pre" }).Bind("pre",
            Deployment.For<Stage>().Options(o => o with { Name = "post" }).Bind("post", null)), "deep-graph", null);
        var cycle = GraphNode.Chain(3);
        cycle.Next!.Next!.Next = cycle;

        var deep = await Assert.ThrowsAsync<TypeNotSerializableException>(() => head.Remote.LengthAsync(GraphNode.Chain(100)));
        var cyclic = await Assert.ThrowsAsync<TypeNotSerializableException>(() => head.Remote.LengthAsync(cycle));

        foreach (var refused in new[] { deep, cyclic })
        {
            Assert.StartsWith("The arguments of LengthAsync on deployment 'deep-graph/pre' cannot cross between processes: it nests deeper than 64 levels or holds a cycle", refused.Message);
            Assert.Contains("Fix: pass the structure flat", refused.Message);
            Assert.DoesNotContain("ReferenceHandler", refused.Message);
        }
        Assert.Equal(60, await head.Remote.LengthAsync(GraphNode.Chain(60)));
        await fixture.Serve.DeleteAsync("deep-graph");
    }
}
