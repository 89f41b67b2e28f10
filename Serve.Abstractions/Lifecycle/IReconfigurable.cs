using System.Text.Json;

namespace Serve;

/// <summary>
/// Implemented by a deployment that takes a <see cref="DeploymentOptions.UserConfig"/>: called once
/// after construction and again on every config update, on the same replica instance.
/// </summary>
public interface IReconfigurable
{
    /// <summary>Applies <paramref name="userConfig"/>. Throwing fails the replica's start.</summary>
    Task ReconfigureAsync(JsonElement userConfig, CancellationToken cancellationToken);
}
