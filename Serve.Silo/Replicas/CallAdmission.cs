namespace Serve.Replicas;

/// <summary>What <see cref="ReplicaAdmission.TryEnter"/> said to a call.</summary>
internal enum CallAdmission
{
    /// <summary>It runs, and leaves when it ends.</summary>
    Admitted,

    /// <summary>MaxOngoingRequests calls run already.</summary>
    Full,

    /// <summary>The replica is not running (not started, or stopping).</summary>
    Gone,
}
