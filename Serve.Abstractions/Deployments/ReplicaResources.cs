namespace Serve;

/// <summary>What one replica needs from the silo that hosts it.</summary>
[GenerateSerializer, Immutable, Alias("serve.replica-resources")]
public sealed record ReplicaResources
{
    internal const double DefaultNumCpus = 1;

    /// <summary>CPUs (fractional allowed). Default is 1.</summary>
    [Id(0)] public double NumCpus { get; init; } = DefaultNumCpus;

    /// <summary>GPUs (fractional allowed). Default is 0.</summary>
    [Id(1)] public double NumGpus { get; init; }

    /// <summary>Bytes of memory. Default is 0.</summary>
    [Id(2)] public long Memory { get; init; }

    /// <summary>Custom resources by name, such as <c>"accelerator:a100" = 1</c>. Default is none.</summary>
    [Id(3)] public IReadOnlyDictionary<string, double> Custom { get; init; } = new Dictionary<string, double>();

    internal IEnumerable<string> Validate()
    {
        if (NumCpus < 0)
        {
            yield return $"Resources.NumCpus: {NumCpus} must be ≥ 0.";
        }
        if (NumGpus < 0)
        {
            yield return $"Resources.NumGpus: {NumGpus} must be ≥ 0.";
        }
        if (Memory < 0)
        {
            yield return $"Resources.Memory: {Memory} must be ≥ 0.";
        }
        foreach (var (name, amount) in Custom)
        {
            if (amount < 0)
            {
                yield return $"Resources.Custom[{name}]: {amount} must be ≥ 0.";
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(ReplicaResources? other) =>
        other is not null && NumCpus == other.NumCpus && NumGpus == other.NumGpus && Memory == other.Memory
        && Custom.Count == other.Custom.Count
        && Custom.All(kv => other.Custom.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(NumCpus, NumGpus, Memory, Custom.Count);
}
