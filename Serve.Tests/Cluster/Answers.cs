namespace Serve.Tests.Cluster;

/// <summary>Runs in the worker processes: answers as large as a caller asks, for the data plane's frame limit.</summary>
[Deployment(NumReplicas = 1, MaxOngoingRequests = 8)]
public sealed class Answers : IAnswers
{
    public async Task<string> TextAsync(int length, int milliseconds = 0, CancellationToken cancellationToken = default)
    {
        if (milliseconds > 0)
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        return new string('x', length);
    }
}
