using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Serve.Tests.Deployments;

/// <summary>
/// One link of a chain of deployments, each calling the next from its synchronous part: a same-silo call to an idle link
/// runs on its caller's thread, so a chain of idle links descends on one thread, deeper at each link (by its frames and a
/// padding of <see cref="Padding"/> bytes, so that how many links a stack holds depends little on how the JIT compiled
/// them). Each link records the most of its pieces it ever saw running at once.
/// </summary>
[Deployment(MaxOngoingRequests = 64)]
public sealed class ChainLink(DeploymentHandle<IChainLink>? next) : IChainLink
{
    /// <summary>The stack each link takes, besides its frames, while the links below it run on its thread.</summary>
    public const int Padding = 12 * 1024;

    private static long _parts;

    /// <summary>The synchronous part (of a link's call, or of a caller's) that runs on this thread now, lower on its stack.</summary>
    [ThreadStatic]
    private static long _partHere;

    private int _inside;
    private int _most;

    /// <summary>Calls <paramref name="head"/> as a caller whose synchronous part the head can tell it runs under.</summary>
    public static Task<ChainTrace> DescendFromHereAsync(DeploymentHandle<IChainLink> head)
    {
        var part = Interlocked.Increment(ref _parts);
        var outer = _partHere;
        _partHere = part;
        try
        {
            return head.Remote.DescendAsync(part);
        }
        finally
        {
            _partHere = outer;
        }
    }

    public async Task<ChainTrace> DescendAsync(long callerPart, CancellationToken cancellationToken = default)
    {
        // On its caller's thread, under its caller's synchronous part: it ran inline. A thread id alone would not tell: a
        // queued piece may run on the thread its caller ran on, after it.
        var inline = _partHere == callerPart;
        var part = Interlocked.Increment(ref _parts);
        var outer = _partHere;
        Task<ChainTrace> below;
        Enter();
        _partHere = part;
        try
        {
            below = next is null ? Task.FromResult(new ChainTrace(0, 0, -1, 0)) : DescendPadded(next, part, cancellationToken);
        }
        finally
        {
            _partHere = outer;
            Leave();
        }
        var trace = await below;
        Enter();
        Leave();
        var firstHop = !inline ? 0 : trace.FirstHop >= 0 ? trace.FirstHop + 1 : -1;
        return new ChainTrace(trace.Links + 1, trace.Inline + (inline ? 1 : 0), firstHop, Math.Max(trace.MostInside, Volatile.Read(ref _most)));
    }

    /// <summary>Calls the next link with <see cref="Padding"/> bytes of this thread's stack in use.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<ChainTrace> DescendPadded(DeploymentHandle<IChainLink> next, long part, CancellationToken cancellationToken)
    {
        Span<byte> padding = stackalloc byte[Padding];
        padding[0] = 1;
        var below = next.Remote.DescendAsync(part, cancellationToken);
        // Read after the call, so the padding stays in use under it.
        return padding[0] + padding[^1] >= 1 ? below : Task.FromException<ChainTrace>(new InvalidOperationException("unreachable"));
    }

    /// <summary>Counts a piece in and spins a little: another thread's piece of this link would come in meanwhile, were it let.</summary>
    private void Enter()
    {
        var inside = Interlocked.Increment(ref _inside);
        if (inside > Volatile.Read(ref _most))
        {
            Interlocked.Exchange(ref _most, inside);
        }
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 50_000;
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
    }

    private void Leave() => Interlocked.Decrement(ref _inside);
}
