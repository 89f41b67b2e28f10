using Serve.Grains;

namespace Serve.Replicas;

/// <summary>
/// Whether a replica may build from the spec its caller sent: only if it is the spec its deployment grain holds (what
/// the controller applied) for the code version the replica's own key names. Key: <c>app/deployment/version/n</c>.
/// </summary>
internal static class ReplicaSpecCheck
{
    /// <summary>The deployment grain's key and the code version in a replica's key; false when the key has another shape.</summary>
    public static bool TryParseKey(string replicaId, out string deploymentKey, out string codeVersion)
    {
        var parts = replicaId.Split('/');
        if (parts.Length != 4 || parts.Any(p => p.Length == 0))
        {
            (deploymentKey, codeVersion) = ("", "");
            return false;
        }
        (deploymentKey, codeVersion) = ($"{parts[0]}/{parts[1]}", parts[2]);
        return true;
    }

    /// <summary>Why <paramref name="offered"/> must not be built by replica <paramref name="replicaId"/>, or null when it may.</summary>
    public static string? Problem(string replicaId, DeploymentSpec offered, DeploymentSpec? accepted)
    {
        if (!TryParseKey(replicaId, out var deploymentKey, out var codeVersion))
        {
            return $"Replica {replicaId} refused to start: its key is not app/deployment/version/n.";
        }
        if (accepted is null)
        {
            return $"Replica {replicaId} refused to start: deployment '{deploymentKey}' holds no spec (no application the controller accepted has it).";
        }
        if (accepted.Id.Key != deploymentKey || accepted.CodeVersion != codeVersion)
        {
            return $"Replica {replicaId} refused to start: deployment '{deploymentKey}' now runs code version {accepted.CodeVersion}, not {codeVersion}.";
        }
        if (offered.TypeName != accepted.TypeName || offered.CodeVersion != accepted.CodeVersion || !offered.Arguments.SequenceEqual(accepted.Arguments))
        {
            return $"Replica {replicaId} refused to start: the spec it was sent ({offered.TypeName}) is not the one deployment '{deploymentKey}' holds ({accepted.TypeName}).";
        }
        return null;
    }
}
