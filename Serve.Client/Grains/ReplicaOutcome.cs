namespace Serve.Grains;

/// <summary>How a replica answered a call. Rejections are values: they are expected on the hot path.</summary>
[GenerateSerializer]
internal enum ReplicaOutcome : byte
{
    /// <summary>The method ran and returned.</summary>
    Completed,
    /// <summary>The method ran and threw.</summary>
    Faulted,
    /// <summary>Already at MaxOngoingRequests: never started, try another replica.</summary>
    RejectedFull,
    /// <summary>Stopping or not started: never started, and this replica will not take calls again.</summary>
    RejectedGone,
}
