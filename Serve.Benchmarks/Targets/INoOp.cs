namespace Serve.Benchmarks.Targets;

/// <summary>The typed face of <see cref="NoOp"/>, called through a <see cref="DeploymentHandle{T}"/>.</summary>
public interface INoOp
{
    /// <summary>Does nothing; the call's cost is all routing and transport.</summary>
    Task PingAsync();
}
