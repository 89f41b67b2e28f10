namespace Serve.Tests.Cluster;

/// <summary>The contract of <see cref="Relay"/>.</summary>
public interface IRelay
{
    /// <summary>Calls <see cref="IWorkload"/> <paramref name="calls"/> times through its handle, one after another.</summary>
    Task<RelayReport> RelayAsync(int calls, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts steady load on <see cref="IWorkload"/> in the background, half its callers idempotent, each call 20 ms; answers
    /// the id of the process the relay runs in.
    /// </summary>
    Task<int> StartLoadAsync();

    /// <summary>The background load's calls so far; with <paramref name="stop"/>, once it stopped and every call ended.</summary>
    Task<RelayLoadReport> LoadReportAsync(bool stop);
}
