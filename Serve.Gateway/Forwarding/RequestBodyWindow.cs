using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Serve.Forwarding;

/// <summary>
/// The step the start readers of unannounced bodies (<see cref="RequestBodyStartReader"/>) and of gRPC calls share: the
/// body's next read, waited for no longer than the reader's window. A read still waiting when the window passes is not
/// cancelled (a cancelled read leaves Kestrel unable to drain the body): the replica's pulls take it over.
/// </summary>
internal static class RequestBodyWindow
{
    /// <summary>
    /// The next read of <paramref name="reader"/>, waited for until <paramref name="window"/> has passed since
    /// <paramref name="started"/>: <see cref="RequestBodyWindowRead.Result"/>, or the read still waiting
    /// (<see cref="RequestBodyWindowRead.Pending"/>), or, when the client went meanwhile, that read ended
    /// (<see cref="RequestBodyWindowRead.ClientGone"/>).
    /// </summary>
    public static async ValueTask<RequestBodyWindowRead> ReadAsync(PipeReader reader, long started, TimeSpan window, TimeProvider time, CancellationToken clientGone)
    {
        var reading = reader.ReadAsync(CancellationToken.None);
        if (reading.IsCompleted)
        {
            return new(reading.Result, null, ClientGone: false);
        }
        var pending = reading.AsTask();
        var left = window - time.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            await Task.WhenAny(pending, Task.Delay(left, time, clientGone));
        }
        if (pending.IsCompleted)
        {
            return new(await pending, null, ClientGone: false);
        }
        if (clientGone.IsCancellationRequested)
        {
            await EndAsync(reader, pending);
            return new(default, null, ClientGone: true);
        }
        return new(default, pending, ClientGone: false);
    }

    /// <summary>
    /// Ends a read left waiting, so that Kestrel can drain the body once the request is over: cancels it if it still
    /// waits, and hands back what it read. A read that finished between that check and the cancel leaves the cancel
    /// pending on the reader, where it would end the next read, Kestrel's own (its connection then fails with "reading
    /// is already in progress"): that cancel is taken here too.
    /// </summary>
    internal static async Task EndAsync(PipeReader reader, Task<ReadResult> pending)
    {
        var cancelled = !pending.IsCompleted;
        if (cancelled)
        {
            reader.CancelPendingRead();
        }
        try
        {
            var result = await pending;
            reader.AdvanceTo(result.Buffer.Start);
            if (cancelled && !result.IsCanceled && reader.TryRead(out var stray))
            {
                reader.AdvanceTo(stray.Buffer.Start);
            }
        }
        catch (Exception e) when (e is BadHttpRequestException or ConnectionResetException or OperationCanceledException or IOException)
        {
            // The body failed or the client went: nothing is left to hand back.
        }
    }
}
