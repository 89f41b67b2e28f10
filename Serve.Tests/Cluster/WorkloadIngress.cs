using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Cluster;

/// <summary>
/// The HTTP ingress the process-cluster tests call through gateway processes: <c>?ms=</c> makes a request take that
/// long (so requests are in flight when a process dies), and the answer says which process and silo served it;
/// <c>?stream=1</c> streams a line naming the process every 50 ms until the client goes away. Files on the shared disk
/// let a test follow a request inside the worker processes: <c>?hold=</c> names a file the request appends its process
/// id to on arrival, and <c>?release=</c> one whose existence lets it answer; <c>?mark=</c> names a file a request with a
/// body appends its process id to once it has read the first bytes (and <c>?read=</c> one it appends the bytes read so
/// far to after each read), and it answers "process-id bytes-read" at the end. <c>?size=</c> answers at once with a body
/// of that many bytes.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class WorkloadIngress(ILocalSiloDetails silo) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (int.TryParse(request.Query["size"], CultureInfo.InvariantCulture, out var size))
        {
            return new string('x', size);
        }
        if (request.Query["stream"] == "1")
        {
            return TicksAsync(cancellationToken);
        }
        if (request.Query["mark"] is { Count: 1 } mark)
        {
            return await ReadBodyAsync(request, mark.ToString(), request.Query["read"].ToString(), cancellationToken);
        }
        if (request.Query["hold"] is { Count: 1 } hold)
        {
            await File.AppendAllTextAsync(hold.ToString(), $"{Environment.ProcessId}\n", cancellationToken);
            while (!File.Exists(request.Query["release"].ToString()))
            {
                await Task.Delay(20, cancellationToken);
            }
        }
        if (int.TryParse(request.Query["ms"], out var milliseconds) && milliseconds > 0)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        return new WorkloadReply(Environment.ProcessId, silo.SiloAddress.ToString());
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, string mark, string progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        long read = 0;
        int count;
        while ((count = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (read == 0)
            {
                await File.AppendAllTextAsync(mark, $"{Environment.ProcessId}\n", cancellationToken);
            }
            read += count;
            if (progress.Length > 0)
            {
                await File.AppendAllTextAsync(progress, $"{read}\n", cancellationToken);
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {read}");
    }

    private static async IAsyncEnumerable<string> TicksAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            yield return $"{Environment.ProcessId}\n";
            await Task.Delay(50, cancellationToken);
        }
    }
}
