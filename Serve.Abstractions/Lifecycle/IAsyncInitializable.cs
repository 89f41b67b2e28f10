namespace Serve;

/// <summary>
/// Implemented by a deployment whose start needs async work (loading a model, warming a cache).
/// The replica takes no request before this completes; throwing counts as a failed start.
/// </summary>
public interface IAsyncInitializable
{
    /// <summary>Prepares the replica.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
}
