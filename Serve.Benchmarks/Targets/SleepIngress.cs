using Microsoft.AspNetCore.Http;

namespace Serve.Benchmarks.Targets;

/// <summary>
/// An HTTP model whose every request waits 10 ms without burning CPU, so a replica's capacity is
/// <c>MaxOngoingRequests</c> / 10 ms whatever else the machine runs.
/// </summary>
[Deployment]
public sealed class SleepIngress : IHttpIngress
{
    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(10);

    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(ServiceTime, cancellationToken);
        return "ok";
    }
}
