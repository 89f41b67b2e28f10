using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Deployments.Http;

/// <summary>A default ingress that answers with the most exchanges it ever saw inside their spins at once, as text.</summary>
[Deployment(MaxOngoingRequests = 64)]
public sealed class CrowdIngress : IHttpIngress
{
    private int _inside;
    private int _most;

    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Crowd();
        await Task.Yield();
        Crowd();
        return Volatile.Read(ref _most).ToString(CultureInfo.InvariantCulture);
    }

    private void Crowd()
    {
        var inside = Interlocked.Increment(ref _inside);
        if (inside > Volatile.Read(ref _most))
        {
            Interlocked.Exchange(ref _most, inside);
        }
        // Long enough for a second thread to come in, were exchanges not one turn at a time.
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5_000;
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
        Interlocked.Decrement(ref _inside);
    }
}
