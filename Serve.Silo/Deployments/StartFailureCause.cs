namespace Serve.Deployments;

/// <summary>What ended a replica's start without a running instance, as its deployment tells from the exception.</summary>
internal enum StartFailureCause
{
    /// <summary>
    /// The replica answered with its failure: the deployment's code threw (a constructor, InitializeAsync), or Serve's
    /// diagnosis of it (a parameter nobody registered, a spec refused). The replica logged it on its silo, at Warning,
    /// with the stack when the deployment's code threw.
    /// </summary>
    Replica,

    /// <summary>The start ended without the replica's answer: none within its bound, or an error of the call itself.</summary>
    Unanswered,

    /// <summary>Its silo filled up before it arrived (another deployment took the room).</summary>
    SiloFull,

    /// <summary>Its silo could not be reached: dead, dying, or not yet placeable (not yet known to host replicas).</summary>
    Unreachable,

    /// <summary>The start was called off under it (its deployment no longer wants it, or its silo stops).</summary>
    Cancelled,
}
