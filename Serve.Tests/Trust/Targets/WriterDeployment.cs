namespace Serve.Tests.Trust.Targets;

/// <summary>A deployment that inherits from a framework class: only its own method may be called.</summary>
[Deployment]
public sealed class WriterDeployment : StringWriter
{
    public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(text);

    public override string ToString() => "overridden, still object's";
}
