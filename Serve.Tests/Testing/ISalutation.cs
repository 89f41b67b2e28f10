namespace Serve.Tests.Testing;

/// <summary>A service of the test's own, registered for a deployment's constructor through <c>ServeTestHostOptions.ConfigureServices</c>.</summary>
public interface ISalutation
{
    string Text { get; }
}
