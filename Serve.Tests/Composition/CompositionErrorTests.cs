using Serve.Tests.Deployments.Composition;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Composition;

/// <summary>What the first caller of a pipeline (pre → model → post) learns when its last deployment fails.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class CompositionErrorTests(SingleSiloFixture fixture)
{
    private IServeClient Serve => fixture.Serve;

    private async Task<DeploymentHandle<IStage>> RunPipelineAsync(string app) =>
        await Serve.RunAsync<IStage>(
            Deployment.For<Stage>().Options(o => o with { Name = "pre" }).Bind("pre",
                Deployment.For<Stage>().Options(o => o with { Name = "model" }).Bind("model",
                    Deployment.For<Stage>().Options(o => o with { Name = "post" }).Bind("post", null))), app, null);

    [Fact]
    public async Task CallAsync_ExceptionThreeDeploymentsDown_CallerGetsItsTypeAndMessageAndEveryDeploymentOnThePath()
    {
        var head = await RunPipelineAsync("deep-error");

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => head.Remote.RunAsync(new StageOrder("custom")));

        Assert.Equal(typeof(StageFault).FullName, error.ExceptionType);
        Assert.Equal("deep-error/pre", error.Deployment);
        Assert.StartsWith("deep-error/pre/", error.ReplicaId);
        Assert.Contains("'deep-error/model'", error.OriginalMessage);
        Assert.Contains("'deep-error/post' (replica deep-error/post/", error.OriginalMessage);
        Assert.EndsWith("threw Serve.Tests.Deployments.Composition.StageFault: a fault of the application's own type", error.OriginalMessage);
        Assert.Contains("StageFault", error.RemoteStackTrace);
        Assert.Equal("pre>model>post", await head.Remote.RunAsync(new StageOrder("ok")));
        await Serve.DeleteAsync("deep-error");
    }

    [Fact]
    public async Task CallAsync_InnerExceptionThreeDeploymentsDown_ItsTypeAndMessageReachTheCaller()
    {
        var head = await RunPipelineAsync("deep-inner");

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => head.Remote.RunAsync(new StageOrder("inner")));

        Assert.Equal("System.InvalidOperationException", error.ExceptionType);
        Assert.EndsWith("could not load the model ---> System.IO.FileNotFoundException: weights.bin is missing", error.OriginalMessage);
        Assert.Contains("System.IO.FileNotFoundException: weights.bin is missing", error.RemoteStackTrace);
        await Serve.DeleteAsync("deep-inner");
    }

    [Fact]
    public async Task CallAsync_HugeExceptionMessageThreeDeploymentsDown_ArrivesCutAndSaysSo()
    {
        var head = await RunPipelineAsync("deep-huge");

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => head.Remote.RunAsync(new StageOrder("huge", Size: 10_000_000)));

        Assert.Equal("System.InvalidOperationException", error.ExceptionType);
        Assert.True(error.OriginalMessage.Length <= global::Serve.Grains.ReplicaFault.MaxMessageChars + 100, $"the message is {error.OriginalMessage.Length} characters");
        Assert.EndsWith("more characters cut)", error.OriginalMessage);
        Assert.True(error.RemoteStackTrace!.Length <= global::Serve.Grains.ReplicaFault.MaxDetailsChars + 100, $"the details are {error.RemoteStackTrace.Length} characters");
        await Serve.DeleteAsync("deep-huge");
    }

    [Fact]
    public async Task CallAsync_UserCodeThrowsOperationCanceledNoDeadlineNoCancel_ArrivesAsItsFailureNotACancellation()
    {
        var head = await RunPipelineAsync("deep-oce");

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => head.Remote.RunAsync(new StageOrder("oce")));

        Assert.Equal("System.OperationCanceledException", error.ExceptionType);
        Assert.EndsWith("the model gave up by itself", error.OriginalMessage);
        await Serve.DeleteAsync("deep-oce");
    }
}
