using System.Net.Sockets;

namespace Serve.Tests.Gateway.Fuzz;

/// <summary>
/// Sends <see cref="FuzzCase"/>s to a gateway over raw sockets, a few connections at a time, and sorts what comes back:
/// every answer by status, a connection closed with no answer, no answer within the time allowed. A 5xx is the
/// platform's unless the case asked the application to fail and got its 500.
/// </summary>
public static class GatewayFuzzer
{
    /// <summary>Marks the 500 the gateway writes for an application's exception.</summary>
    public const string ApplicationErrorMarker = "the application raised an exception";

    public static async Task<FuzzReport> RunAsync(string host, int port, IReadOnlyList<FuzzCase> cases, int parallelism, TimeSpan answerTimeout, CancellationToken cancellationToken)
    {
        var report = new FuzzReport();
        await Parallel.ForEachAsync(
            cases,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (fuzzCase, ct) => report.Add(fuzzCase, await ExchangeAsync(host, port, fuzzCase, answerTimeout, ct)));
        return report;
    }

    private static async Task<FuzzOutcome> ExchangeAsync(string host, int port, FuzzCase fuzzCase, TimeSpan answerTimeout, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, cancellationToken);
        try
        {
            foreach (var write in fuzzCase.Writes)
            {
                await socket.SendAsync(write, SocketFlags.None, cancellationToken);
            }
        }
        catch (SocketException)
        {
            // The gateway closed on us mid-write (it refused the request early): what it answered is still to be read.
        }
        if (fuzzCase.Abort)
        {
            // Gone mid-request: a reset, not a polite close.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
            return new FuzzOutcome([], FuzzEnd.ClientAborted);
        }
        if (fuzzCase.Truncated)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(answerTimeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                var answers = RawHttpResponse.ParseAll(received.GetBuffer().AsSpan(0, (int)received.Length), fuzzCase.Head, closed: false);
                if (answers.Count >= fuzzCase.Answers && !fuzzCase.Truncated)
                {
                    return new FuzzOutcome(answers, FuzzEnd.Answered);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FuzzOutcome(RawHttpResponse.ParseAll(received.ToArray(), fuzzCase.Head, closed: false), FuzzEnd.TimedOut);
        }
        catch (SocketException)
        {
            // A reset after the answers: they were read already, or there were none.
        }
        var responses = RawHttpResponse.ParseAll(received.ToArray(), fuzzCase.Head, closed: true);
        return new FuzzOutcome(responses, responses.Count == 0 ? FuzzEnd.ClosedWithoutAnswer : FuzzEnd.Answered);
    }
}
