using System.Buffers;
using System.IO.Pipelines;
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
    public static async ValueTask<(RequestBodyReadStatus Status, byte[] Body)> ReadAsync(HttpRequest request, long limit, RequestBodyBudget budget, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return (RequestBodyReadStatus.TooLarge, []);
        }
        if (declared > budget.Limit - budget.Used)
        {
            // It could not be held whole now: refused before the client sends it, not half-way. Nothing is taken.
            return (RequestBodyReadStatus.OverBudget, []);
        }
        var reader = request.BodyReader;
        RequestBodyBuffer? buffer = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var data = result.Buffer;
                var arrived = (buffer?.Length ?? 0) + data.Length;
                if (arrived > limit)
                {
                    reader.AdvanceTo(data.Start, data.End);
                    return (RequestBodyReadStatus.TooLarge, []);
                }
                var complete = result.IsCompleted || arrived == declared;
                if (complete && buffer is null)
                {
                    // The common case: the whole body came in one read.
                    if (!budget.TryTake(data.Length))
                    {
                        reader.AdvanceTo(data.Start, data.End);
                        return (RequestBodyReadStatus.OverBudget, []);
                    }
                    var body = data.ToArray();
                    reader.AdvanceTo(data.End);
                    return (RequestBodyReadStatus.Complete, body);
                }
                buffer ??= new RequestBodyBuffer(budget);
                if (!buffer.TryAppend(data))
                {
                    reader.AdvanceTo(data.Start, data.End);
                    return (RequestBodyReadStatus.OverBudget, []);
                }
                reader.AdvanceTo(data.End);
                if (complete)
                {
                    return Finish(buffer, budget);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } ? RequestBodyReadStatus.TooLarge : RequestBodyReadStatus.Failed, []);
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    private static (RequestBodyReadStatus, byte[]) Finish(RequestBodyBuffer buffer, RequestBodyBudget budget)
    {
        var body = buffer.ToArray();
        // The array that travels replaces the chunks, which the caller's finally gives back (never fewer bytes than the
        // body): both exist for the moment of the copy, so the body is taken without a check.
        budget.Take(body.Length);
        return (RequestBodyReadStatus.Complete, body);
    }
}
