using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments.Http;

/// <summary>An <see cref="IHttpIngress"/> whose answer depends on <c>?kind=</c>, to exercise every result rule.</summary>
[Deployment]
public sealed class EchoIngress(string label, ILocalSiloDetails silo) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var gate = request.Query["gate"].ToString();
        switch (request.Query["kind"].ToString())
        {
            case "string":
                return label;
            case "result":
                return Results.Json(new { label }, statusCode: StatusCodes.Status202Accepted);
            case "status":
                // A status alone, with whatever body the handler writes: 204 and 304 may carry none.
                return new StatusWithBody(int.Parse(request.Query["code"].ToString(), System.Globalization.CultureInfo.InvariantCulture), request.Query["body"].ToString());
            case "header":
                // What a handler writes into a header from its input (a name, a file name, an error's text).
                return new WithHeader(request.Query["value"].ToString(), flush: false);
            case "header-stream":
                return new WithHeader(request.Query["value"].ToString(), flush: true);
            case "trailer":
                // The same, in a trailer (HTTP/2 and gRPC carry them), which goes after the body.
                return new WithTrailer(request.Query["value"].ToString(), flush: false);
            case "trailer-stream":
                return new WithTrailer(request.Query["value"].ToString(), flush: true);
            case "fail":
                throw new InvalidOperationException("echo failed on purpose");
            case "hold":
                await Gate.Get(gate).PassAsync(cancellationToken);
                return "held";
            case "stream":
                return StreamAsync(gate, cancellationToken);
            case "sha256":
                return await HashAsync(request.Body, cancellationToken);
            default:
                using (var reader = new StreamReader(request.Body))
                {
                    return new EchoReply(label, request.Method, request.PathBase, request.Path, request.QueryString.Value ?? "",
                        request.Headers["x-request-id"].ToString(), await reader.ReadToEndAsync(cancellationToken), silo.SiloAddress.ToString());
                }
        }
    }

    /// <summary>The body's SHA-256 and length, read as a stream in small reads: nothing of it is held.</summary>
    private static async Task<string> HashAsync(Stream body, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        long length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }
        return $"{Convert.ToHexStringLower(hash.GetHashAndReset())} {length}";
    }

    private sealed class WithHeader(string value, bool flush) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers["x-echo"] = value;
            await httpContext.Response.WriteAsync("with header");
            if (flush)
            {
                // Flushed: the head goes to the gateway as the response starts, not with the call's result.
                await httpContext.Response.Body.FlushAsync();
                await httpContext.Response.WriteAsync(", streamed");
            }
        }
    }

    private sealed class WithTrailer(string value, bool flush) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await httpContext.Response.WriteAsync("with trailer");
            if (flush)
            {
                await httpContext.Response.Body.FlushAsync();
            }
            httpContext.Response.AppendTrailer("x-fine", "yes");
            httpContext.Response.AppendTrailer("x-echo", value);
        }
    }

    private sealed class StatusWithBody(int status, string body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            if (body.Length > 0)
            {
                await httpContext.Response.WriteAsync(body);
            }
        }
    }

    private static async IAsyncEnumerable<string> StreamAsync(string gate, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "first\n";
        await Gate.Get(gate).PassAsync(cancellationToken);
        yield return "second\n";
    }
}
