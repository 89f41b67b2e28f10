using System.Text;
using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Gateway.Fuzz;

/// <summary>The application the fuzzer aims at: reads the body as UTF-8 text (bytes that are not become U+FFFD) and says what it got; <c>?kind=fail</c> throws.</summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 64)]
public sealed class FuzzIngress : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Query["kind"] == "fail")
        {
            throw new InvalidOperationException("fuzz: a deliberate failure");
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return $"{request.Method} {request.Path} {request.QueryString} {text.Length} chars";
    }
}
