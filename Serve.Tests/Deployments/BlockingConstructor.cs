using System.Collections.Concurrent;

namespace Serve.Tests.Deployments;

/// <summary>
/// A deployment whose constructor holds its thread (a model loaded synchronously) until its test opens the gate of
/// <c>reason</c>; it records that it began constructing, and that its instance was disposed.
/// </summary>
[Deployment]
public sealed class BlockingConstructor : IDisposable
{
    /// <summary>The reasons whose instance began constructing.</summary>
    public static readonly ConcurrentDictionary<string, bool> Constructing = new();

    /// <summary>The reasons whose instance was disposed.</summary>
    public static readonly ConcurrentDictionary<string, bool> Disposed = new();

    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();

    private readonly string _reason;

    public BlockingConstructor(string reason)
    {
        _reason = reason;
        Constructing[reason] = true;
        Gate(reason).Wait();
    }

    /// <summary>Lets every constructor of <paramref name="reason"/> return, those waiting and those to come.</summary>
    public static void Open(string reason) => Gate(reason).Set();

    public string Ping() => "pong";

    public void Dispose() => Disposed[_reason] = true;

    private static ManualResetEventSlim Gate(string reason) => Gates.GetOrAdd(reason, _ => new ManualResetEventSlim());
}
