namespace Serve.Cluster;

/// <summary>What one silo offers to the replicas placed on it (bound from <c>Serve:Silo:Resources</c>).</summary>
public sealed class SiloResources
{
    /// <summary>
    /// CPUs (fractional allowed); a replica needs 1 unless its deployment says otherwise.
    /// Default is none: CPUs do not limit placement on this silo (set it, e.g. to the machine's cores, to limit it).
    /// </summary>
    public double? NumCpus { get; set; }

    /// <summary>GPUs (fractional allowed). Default is 0.</summary>
    public double NumGpus { get; set; }

    /// <summary>Bytes of memory. Default is none: memory does not limit placement on this silo.</summary>
    public long? Memory { get; set; }

    /// <summary>Custom resources by name, such as <c>"accelerator:a100" = 1</c>. Default is none.</summary>
    public Dictionary<string, double> Custom { get; set; } = [];
}
