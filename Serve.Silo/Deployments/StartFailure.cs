namespace Serve.Deployments;

/// <summary>Why a replica's start ended without a running instance.</summary>
internal enum StartFailure
{
    /// <summary>The user's constructor, initialisation or config failed, as many times in a row as the deployment allows.</summary>
    Constructor,

    /// <summary>Its silo filled up before it arrived (another deployment took the room).</summary>
    SiloFull,

    /// <summary>Its silo could not be reached: dead, dying, or not yet known to host replicas.</summary>
    Unreachable,
}
