using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Serve.Forwarding;

namespace Serve.Grpc;

/// <summary>
/// Reads the start of a gRPC call's request body, as <see cref="GrpcRequestStartRule"/> says: when the body ends with what
/// arrives the call travels whole, in one grain call; when it stops after a whole message without ending (a client that
/// keeps sending, and may wait for answers first), or passes <see cref="HttpForwarder.MaxInlineBody"/>, or has no whole
/// message within the rule's window (none for a method known to take a stream from its client), its first bytes travel
/// in the call and the replica pulls the rest. Either way is correct; reading the body whole only saves the pulls of
/// short calls.
/// </summary>
internal static class GrpcRequestStartReader
{
    /// <param name="reader">The call's body.</param>
    /// <param name="framing">Follows its messages, each held to the size limit.</param>
    /// <param name="budget">What every body held together may take.</param>
    /// <param name="time">The clock of the rule's window.</param>
    /// <param name="clientStreaming">The method takes a stream from its client (its replicas said so): the call starts with what has arrived, without waiting.</param>
    /// <param name="clientGone">Fires when the client has gone.</param>
    public static async ValueTask<GrpcRequestStart> ReadAsync(PipeReader reader, GrpcMessageFraming framing, RequestBodyBudget budget, TimeProvider time,
        bool clientStreaming, CancellationToken clientGone)
    {
        var window = GrpcRequestStartRule.WindowFor(clientStreaming);
        var started = time.GetTimestamp();
        RequestBodyBuffer? buffer = null;
        try
        {
            while (true)
            {
                var next = await RequestBodyWindow.ReadAsync(reader, started, window, time, clientGone);
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
                if (!framing.TryAdvance(data))
                {
                    reader.AdvanceTo(data.Start, data.End);
                    return TooLarge(framing);
                }
                if (RequestBodyReader.Take(reader, data, result.IsCompleted, ref buffer, budget) is { } read)
                {
                    return new(read.Status, read.Body);
                }
                if (GrpcRequestStartRule.StartsNow(buffer?.Length ?? 0, framing.AtMessageEnd, time.GetElapsedTime(started), clientStreaming))
                {
                    return Streaming(buffer, budget, null);
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(RequestBodyReadStatus.TooLarge, [], Reason: e.Message);
        }
        catch (BadHttpRequestException e)
        {
            return new(RequestBodyReadStatus.Rejected, [], Reason: e.Message);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            return new(RequestBodyReadStatus.ClientGone, []);
        }
        catch (IOException e)
        {
            return clientGone.IsCancellationRequested ? new(RequestBodyReadStatus.ClientGone, []) : new(RequestBodyReadStatus.Rejected, [], Reason: e.Message);
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    private static GrpcRequestStart Streaming(RequestBodyBuffer? buffer, RequestBodyBudget budget, Task<ReadResult>? pending) =>
        new(RequestBodyReadStatus.Complete, buffer is null ? [] : RequestBodyReader.TakeWhole(buffer, budget), Streams: true, Pending: pending);

    private static GrpcRequestStart TooLarge(GrpcMessageFraming framing) =>
        new(RequestBodyReadStatus.TooLarge, [], Reason: $"a request message of {framing.TooLarge} bytes is over the limit of {framing.MaxMessageSize} bytes");
}
