using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serve.Forwarding;
using Serve.Hosting;
using Serve.Http;

namespace Serve.Grpc;

/// <summary>How the gateway answers a gRPC call: the replica's answer, or a status of its own.</summary>
internal sealed partial class GrpcForwarder
{
    /// <summary>Waits for the messages already pushed to go out, so that the status the gateway writes comes after them.</summary>
    private static async Task FinishStreamAsync(HttpExchange exchange)
    {
        if (!exchange.Streamed)
        {
            return;
        }
        try
        {
            await exchange.FinishAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone: the status written next goes nowhere either.
        }
    }

    private static Task RefuseStreamedBodyAsync(HttpContext context, HttpExchange exchange, HttpPullStatus failure)
    {
        var reason = exchange.RequestBody!.FailureReason ?? "";
        return failure == HttpPullStatus.TooLarge
            ? WriteStatusAsync(context, GrpcStatus.ResourceExhausted, $"{reason} (Serve:Http:MaxRequestBodySize)")
            : WriteStatusAsync(context, GrpcStatus.Internal, $"the request body was refused: {reason}");
    }

    /// <summary>Writes the replica's whole answer but its trailers; or, without writing anything, says why it cannot be sent.</summary>
    private static async Task<string?> WriteResponseAsync(HttpContext context, HttpResponseData answer)
    {
        if (answer.StatusCode < 200)
        {
            return $"the application answered {answer.StatusCode}, an interim status, as its final answer";
        }
        if (ReplicaAnswer.WriteHead(context, answer) is { } unsendable)
        {
            return unsendable;
        }
        if (answer.Body.Length > 0)
        {
            await context.Response.BodyWriter.WriteAsync(answer.Body, context.RequestAborted);
        }
        return null;
    }

    /// <summary>
    /// Answers with a gRPC status: trailers-only (HTTP 200, the status in the headers) when nothing was sent yet, else in
    /// the trailers after what was.
    /// </summary>
    private static Task WriteStatusAsync(HttpContext context, GrpcStatus status, string message, (string Name, string Value)? extra = null)
    {
        var response = context.Response;
        var code = ((int)status).ToString(CultureInfo.InvariantCulture);
        var encoded = GrpcProtocol.EncodeMessage(message);
        if (response.HasStarted)
        {
            if (response.SupportsTrailers())
            {
                response.AppendTrailer(GrpcProtocol.StatusHeader, code);
                response.AppendTrailer(GrpcProtocol.MessageHeader, encoded);
            }
            else
            {
                context.Abort();
            }
            return Task.CompletedTask;
        }
        var requestId = response.Headers[HttpForwarder.RequestIdHeader];
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[HttpForwarder.RequestIdHeader] = requestId;
        response.Headers[GrpcProtocol.StatusHeader] = code;
        response.Headers[GrpcProtocol.MessageHeader] = encoded;
        if (extra is var (name, value))
        {
            response.Headers[name] = value;
        }
        return Task.CompletedTask;
    }

    private static (string, string) RetryPushback(ServeGatewayOptions options) =>
        (GrpcProtocol.RetryPushbackHeader, (options.RetryAfterSeconds * 1000).ToString(CultureInfo.InvariantCulture));

    /// <summary>The call's gRPC status as sent (headers when trailers-only, else trailers); the HTTP status when it has none.</summary>
    private static string StatusOf(HttpContext context)
    {
        var response = context.Response;
        if (response.Headers[GrpcProtocol.StatusHeader] is { Count: > 0 } inHeaders)
        {
            return inHeaders.ToString();
        }
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        return trailers is not null && trailers.TryGetValue(GrpcProtocol.StatusHeader, out var inTrailers)
            ? inTrailers.ToString()
            : $"http {response.StatusCode}";
    }
}
