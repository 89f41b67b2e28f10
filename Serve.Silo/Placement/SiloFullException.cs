namespace Serve.Placement;

/// <summary>
/// A replica reached the silo its deployment chose, and the silo had no room left for it: other deployments'
/// replicas took it since the choice. The deployment places it again with the silo's current ledger.
/// </summary>
[GenerateSerializer, Alias("serve.silo-full-exception")]
internal sealed class SiloFullException : ServeException
{
    public SiloFullException(string silo, string shortage)
        : base($"Silo {silo} has no room for the replica: {shortage}.")
    {
        Silo = silo;
    }

    [Id(0)] public string Silo { get; }
}
