namespace Serve.Deployments;

/// <summary>How a silo stands for placing replicas on it.</summary>
internal enum SiloCondition
{
    /// <summary>Active and trusted: replicas may go there.</summary>
    Active,

    /// <summary>Active in membership, but suspected by another silo or found unreachable: no new replica goes there.</summary>
    Suspected,

    /// <summary>Shutting down or draining: its replicas move elsewhere and no new one goes there.</summary>
    Leaving,

    /// <summary>Declared dead: its replicas are lost.</summary>
    Dead,
}
