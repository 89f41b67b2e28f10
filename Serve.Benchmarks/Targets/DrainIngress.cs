using Microsoft.AspNetCore.Http;

namespace Serve.Benchmarks.Targets;

/// <summary>An HTTP ingress that reads the whole request body (streamed to it past 64 KiB) and answers its length.</summary>
[Deployment]
public sealed class DrainIngress : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        (await DrainAsync(request.Body, cancellationToken)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads <paramref name="body"/> to its end in 16 KiB reads; returns how many bytes it held.</summary>
    public static async Task<long> DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }
        return total;
    }
}
