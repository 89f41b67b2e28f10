using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Samples.BasicIngress;

/// <summary>Seed example 3: reads the JSON body's name (even on a GET) and greets it as text.</summary>
[Deployment]
public sealed class MostBasicIngress : IHttpIngress
{
    /// <inheritdoc />
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        NameRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<NameRequest>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // The client's mistake (malformed or too deeply nested JSON, another content type), not the replica's: a 400 saying so.
            return Results.BadRequest(new { error = $"send a JSON body like {{\"name\": \"Corey\"}}: {e.Message}" });
        }
        return body?.Name is { } name
            ? $"Hello {name}!"
            : Results.BadRequest(new { error = "send a JSON body like {\"name\": \"Corey\"}" });
    }

    /// <summary><c>MostBasicIngress.bind()</c>.</summary>
    public static BoundDeployment App() => Deployment.For<MostBasicIngress>().Bind();
}
