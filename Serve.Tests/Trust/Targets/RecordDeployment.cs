namespace Serve.Tests.Trust.Targets;

/// <summary>A record deployment: its compiler-made members (Equals, ToString, Deconstruct's clone) are not calls.</summary>
[Deployment]
public sealed record RecordDeployment : IDisposable
{
    public int Twice(int value) => 2 * value;

    public void Dispose()
    {
    }
}
