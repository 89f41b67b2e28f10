namespace Serve.Samples.FirstDeployment;

/// <summary>Seed example 1: a deployment whose constructor takes a message and whose call returns it.</summary>
[Deployment]
public sealed class MyFirstDeployment(string msg) : IMessage
{
    /// <inheritdoc />
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult(msg);

    /// <summary><c>MyFirstDeployment.bind("Hello world!")</c>.</summary>
    public static BoundDeployment App() => Deployment.For<MyFirstDeployment>().Bind("Hello world!");
}
