using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Serve.Forwarding;

/// <summary>
/// Reads a request body whole, for the replica, taking memory only as bytes arrive: a body already there in one read
/// is copied straight into the array that travels; a longer one gathers in a <see cref="RequestBodyBuffer"/> first.
/// The Content-Length is used only to refuse, before reading, a body that is too large or cannot fit in the budget
/// left; it never sizes a buffer nor takes from the budget.
/// </summary>
internal static class RequestBodyReader
{
    /// <summary>
    /// The body, or why there is none. On <see cref="RequestBodyReadStatus.Complete"/> the body's length is taken from
    /// <paramref name="budget"/>; the caller gives it back when the request is done.
    /// </summary>
    /// <param name="request">The request whose body is read.</param>
    /// <param name="limit">The largest body taken.</param>
    /// <param name="budget">What every body held together may take.</param>
    /// <param name="clientGone">Fires when the client has gone: it tells a failed read from a malformed body, and is not
    /// passed to the reads, which end when the connection does (a cancelled read leaves Kestrel unable to drain the body).</param>
    public static async ValueTask<RequestBodyRead> ReadAsync(HttpRequest request, long limit, RequestBodyBudget budget, CancellationToken clientGone)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return new(RequestBodyReadStatus.TooLarge, []);
        }
        if (declared > budget.Limit - budget.Used)
        {
            // It could not be held whole now: refused before the client sends it, not half-way. Nothing is taken.
            return new(RequestBodyReadStatus.OverBudget, []);
        }
        var reader = request.BodyReader;
        RequestBodyBuffer? buffer = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(CancellationToken.None);
                var data = result.Buffer;
                var arrived = (buffer?.Length ?? 0) + data.Length;
                if (arrived > limit)
                {
                    reader.AdvanceTo(data.Start, data.End);
                    return new(RequestBodyReadStatus.TooLarge, []);
                }
                var complete = result.IsCompleted || arrived == declared;
                if (Take(reader, data, complete, ref buffer, budget) is { } read)
                {
                    return read;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(RequestBodyReadStatus.TooLarge, []);
        }
        catch (BadHttpRequestException e)
        {
            return new(RequestBodyReadStatus.Rejected, [], e.StatusCode, e.Message);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            return new(RequestBodyReadStatus.ClientGone, []);
        }
        catch (IOException e)
        {
            // Kestrel reports some malformed bodies (a chunk size that overflows) as an IOException while the client is
            // still there: that client is told, not left with an empty 200.
            return clientGone.IsCancellationRequested
                ? new(RequestBodyReadStatus.ClientGone, [])
                : new(RequestBodyReadStatus.Rejected, [], StatusCodes.Status400BadRequest, e.Message);
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    /// <summary>
    /// Takes one read's bytes from <paramref name="reader"/>: when <paramref name="complete"/> and nothing was gathered
    /// before (the common case: the whole body in one read), straight into the array that travels; else into
    /// <paramref name="buffer"/> (made at the first such read). The body when it is complete, "over budget" when the
    /// bytes cannot be held (left unread), null while more is to come.
    /// </summary>
    internal static RequestBodyRead? Take(PipeReader reader, ReadOnlySequence<byte> data, bool complete, ref RequestBodyBuffer? buffer, RequestBodyBudget budget)
    {
        if (complete && buffer is null)
        {
            if (!budget.TryTake(data.Length))
            {
                reader.AdvanceTo(data.Start, data.End);
                return new(RequestBodyReadStatus.OverBudget, []);
            }
            var body = data.ToArray();
            reader.AdvanceTo(data.End);
            return new(RequestBodyReadStatus.Complete, body);
        }
        buffer ??= new RequestBodyBuffer(budget);
        if (!buffer.TryAppend(data))
        {
            reader.AdvanceTo(data.Start, data.End);
            return new(RequestBodyReadStatus.OverBudget, []);
        }
        reader.AdvanceTo(data.End);
        return complete ? new(RequestBodyReadStatus.Complete, TakeWhole(buffer, budget)) : null;
    }

    /// <summary>The gathered body as the one array that travels.</summary>
    internal static byte[] TakeWhole(RequestBodyBuffer buffer, RequestBodyBudget budget)
    {
        var body = buffer.ToArray();
        // The array that travels replaces the chunks, which the caller's finally gives back (never fewer bytes than the
        // body): both exist for the moment of the copy, so the body is taken without a check.
        budget.Take(body.Length);
        return body;
    }
}
