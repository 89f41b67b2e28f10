namespace Serve.Tests.Multiplexing;

/// <summary>A "model" the zoo loads: it knows its id and says when it is disposed.</summary>
public sealed class ZooModel(string id, Action disposed) : IDisposable
{
    public string Id { get; } = id;

    public void Dispose() => disposed();
}
