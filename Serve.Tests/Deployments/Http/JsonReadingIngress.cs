using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Deployments.Http;

/// <summary>
/// Reads its own body: <c>/own</c> parses JSON of its own making (a bug of its own when it fails), <c>/bug</c> throws,
/// anything else reads the request as an <see cref="Item"/>.
/// </summary>
[Deployment]
public sealed class JsonReadingIngress : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => request.Path.Value switch
    {
        "/own" => JsonSerializer.Deserialize<Item>("{\"id\": "),
        "/bug" => throw new InvalidOperationException("the handler's own bug"),
        _ => await request.ReadFromJsonAsync<Item>(cancellationToken),
    };
}
