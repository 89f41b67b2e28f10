using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Serve.Benchmarks.Chaos;

/// <summary>
/// HTTP requests at a fixed rate, whatever the server does (open loop): a stall shows as latency and
/// as requests piling up, not as fewer requests sent. Every <see cref="PostEvery"/>-th request is a POST
/// without <c>Idempotency-Key</c> (not idempotent); the others are GETs (idempotent).
/// </summary>
internal sealed class OpenLoopLoad(HttpClient http, Uri url, double requestsPerSecond, int postEvery)
{
    private static readonly byte[] PostBody = "{\"input\":1}"u8.ToArray();
    private long _started;
    private int _running;

    public RequestLog Log { get; } = new(TimeSpan.FromSeconds(1 / requestsPerSecond));

    public int PostEvery { get; } = postEvery;

    public double RequestsPerSecond { get; } = requestsPerSecond;

    /// <summary>Time since the load started, on the clock of <see cref="RequestLog.DueAt"/>.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(Volatile.Read(ref _started));

    /// <summary>Requests sent and not yet answered.</summary>
    public int Running => Volatile.Read(ref _running);

    public bool IsIdempotent(long index) => index % PostEvery != PostEvery - 1;

    /// <summary>Sends until <paramref name="stop"/>, then waits until every request sent has an outcome or <paramref name="drain"/> passed.</summary>
    public async Task RunAsync(TimeSpan drain, CancellationToken stop)
    {
        Volatile.Write(ref _started, Stopwatch.GetTimestamp());
        while (!stop.IsCancellationRequested)
        {
            var now = Now;
            while (Log.DueAt(Log.Count) <= now)
            {
                var index = Log.Add();
                Interlocked.Increment(ref _running);
                _ = SendAsync(index);
            }
            try
            {
                await Task.Delay(1, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        var deadline = Stopwatch.GetTimestamp() + (long)(drain.TotalSeconds * Stopwatch.Frequency);
        while (Running > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private async Task SendAsync(long index)
    {
        var due = Log.DueAt(index);
        var outcome = RequestOutcome.Other;
        try
        {
            using var request = new HttpRequestMessage(IsIdempotent(index) ? HttpMethod.Get : HttpMethod.Post, url);
            if (!IsIdempotent(index))
            {
                request.Content = new ByteArrayContent(PostBody) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            }
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            outcome = await ClassifyAsync(response);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            outcome = RequestOutcome.ClientTimeout;
        }
        catch (HttpRequestException)
        {
            outcome = RequestOutcome.ConnectionError;
        }
        catch (Exception)
        {
            outcome = RequestOutcome.Other;
        }
        finally
        {
            Log.Complete(index, outcome, Now - due);
            Interlocked.Decrement(ref _running);
        }
    }

    private static async Task<RequestOutcome> ClassifyAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return RequestOutcome.Succeeded;
        }
        return response.StatusCode switch
        {
            // The gateway names the lost replica in the body of this 503 only.
            HttpStatusCode.ServiceUnavailable => (await response.Content.ReadAsStringAsync()).Contains("\"replica\"", StringComparison.Ordinal)
                ? RequestOutcome.ReplicaUnavailable
                : RequestOutcome.ServiceUnavailable,
            HttpStatusCode.BadGateway => RequestOutcome.BadGateway,
            HttpStatusCode.RequestTimeout => RequestOutcome.RequestTimeout,
            HttpStatusCode.InternalServerError => RequestOutcome.ServerError,
            _ => RequestOutcome.Other,
        };
    }
}
