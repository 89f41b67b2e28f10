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
            case "fail":
                throw new InvalidOperationException("echo failed on purpose");
            case "hold":
                await Gate.Get(gate).PassAsync(cancellationToken);
                return "held";
            case "stream":
                return StreamAsync(gate, cancellationToken);
            default:
                using (var reader = new StreamReader(request.Body))
                {
                    return new EchoReply(label, request.Method, request.PathBase, request.Path, request.QueryString.Value ?? "",
                        request.Headers["x-request-id"].ToString(), await reader.ReadToEndAsync(cancellationToken), silo.SiloAddress.ToString());
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
