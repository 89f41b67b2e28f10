using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Serve.Forwarding;

/// <summary>
/// Reads the start of a request body whose length is not announced, as <see cref="RequestBodyStartRule"/> says: a body
/// that ends within the inline limit is read whole and travels in the call; one that passes the limit, or has not ended
/// within the rule's window, travels as its first bytes (never more than the inline limit: a read that would pass it is
/// left to the pulls) and the replica pulls the rest. Memory is taken only as bytes arrive, from the budget.
/// </summary>
internal static class RequestBodyStartReader
{
    /// <param name="reader">The request's body.</param>
    /// <param name="limit">The largest body taken.</param>
    /// <param name="budget">What every body held together may take.</param>
    /// <param name="time">The clock of the rule's window.</param>
    /// <param name="clientGone">Fires when the client has gone: it tells a failed read from a malformed body, and is not
    /// passed to the reads, which end when the connection does (a cancelled read leaves Kestrel unable to drain the body).</param>
    public static async ValueTask<RequestBodyStart> ReadAsync(PipeReader reader, long limit, RequestBodyBudget budget, TimeProvider time, CancellationToken clientGone)
    {
        var started = time.GetTimestamp();
        RequestBodyBuffer? buffer = null;
        try
        {
            while (true)
            {
                var next = await RequestBodyWindow.ReadAsync(reader, started, RequestBodyStartRule.Window, time, clientGone);
                if (next.ClientGone)
                {
                    return new(RequestBodyReadStatus.ClientGone, []);
                }
                if (next.Pending is { } pending)
                {
                    return Streaming(buffer, budget, pending);
                }
                var result = next.Result;
                var data = result.Buffer;
                switch (RequestBodyStartRule.Decide((buffer?.Length ?? 0) + data.Length, result.IsCompleted, time.GetElapsedTime(started), limit))
                {
                    case RequestBodyStartAction.TooLarge:
                        reader.AdvanceTo(data.Start, data.End);
                        return new(RequestBodyReadStatus.TooLarge, []);
                    case RequestBodyStartAction.Stream:
                        // This read's bytes are left for the pulls (examined as far as its start, so the next read has them at once).
                        reader.AdvanceTo(data.Start);
                        return Streaming(buffer, budget, null);
                    case RequestBodyStartAction.Inline:
                        return ToStart(RequestBodyReader.Take(reader, data, complete: true, ref buffer, budget)!.Value);
                    default:
                        if (RequestBodyReader.Take(reader, data, complete: false, ref buffer, budget) is { } overBudget)
                        {
                            return ToStart(overBudget);
                        }
                        break;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(RequestBodyReadStatus.TooLarge, []);
        }
        catch (BadHttpRequestException e)
        {
            return new(RequestBodyReadStatus.Rejected, [], StatusCode: e.StatusCode, Reason: e.Message);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            return new(RequestBodyReadStatus.ClientGone, []);
        }
        catch (IOException e)
        {
            // As RequestBodyReader: some malformed bodies fail as an IOException while the client is still there.
            return clientGone.IsCancellationRequested
                ? new(RequestBodyReadStatus.ClientGone, [])
                : new(RequestBodyReadStatus.Rejected, [], StatusCode: StatusCodes.Status400BadRequest, Reason: e.Message);
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    private static RequestBodyStart ToStart(RequestBodyRead read) => new(read.Status, read.Body, StatusCode: read.StatusCode, Reason: read.Reason);

    private static RequestBodyStart Streaming(RequestBodyBuffer? buffer, RequestBodyBudget budget, Task<ReadResult>? pending) =>
        new(RequestBodyReadStatus.Complete, buffer is null ? [] : RequestBodyReader.TakeWhole(buffer, budget), Streams: true, Pending: pending);
}
