namespace Serve.Tests.Runtime;

public sealed class HandleOptionsTests
{
    private static readonly DeploymentHandle Handle = new(null!, new DeploymentId("app", "Zoo"), CallOptions.Default);

    [Fact]
    public void WithOptions_AfterMethod_KeepsTheMethod()
    {
        var handle = Handle.Method("Predict").WithOptions(new CallOptions { MultiplexedModelId = "tenant-a" });

        Assert.Equal(("Predict", "tenant-a"), (handle.CallOptions.MethodName, handle.CallOptions.MultiplexedModelId));
    }

    [Fact]
    public void WithOptions_NamingAMethod_TakesTheirs()
    {
        var handle = Handle.Method("Predict").WithOptions(new CallOptions { MethodName = "Explain" });

        Assert.Equal("Explain", handle.CallOptions.MethodName);
    }

    [Fact]
    public void WithOptions_TypedHandleAfterMethod_KeepsTheMethod()
    {
        var typed = new DeploymentHandle<IDisposable>(null!, new DeploymentId("app", "Zoo"), CallOptions.Default with { MethodName = "Predict" });

        var handle = typed.WithOptions(new CallOptions { Timeout = TimeSpan.FromSeconds(3) });

        Assert.Equal(("Predict", TimeSpan.FromSeconds(3)), (handle.CallOptions.MethodName, handle.CallOptions.Timeout));
    }
}
