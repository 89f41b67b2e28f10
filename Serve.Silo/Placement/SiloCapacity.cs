using System.Collections.Immutable;
using System.Globalization;
using Serve.Cluster;

namespace Serve.Placement;

/// <summary>A silo's role and capacity as every silo sees it, carried in Orleans silo metadata.</summary>
internal sealed record SiloCapacity
{
    internal const string HostsReplicasKey = "serve.hosts-replicas";
    internal const string NumCpusKey = "serve.num-cpus";
    internal const string NumGpusKey = "serve.num-gpus";
    internal const string MemoryKey = "serve.memory";
    internal const string CustomPrefix = "serve.custom.";

    /// <summary>A silo that declared nothing (not started with <c>UseServeCluster</c>): it hosts replicas, without limits.</summary>
    public static readonly SiloCapacity Undeclared = new()
    {
        HostsReplicas = true,
        NumCpus = double.PositiveInfinity,
        NumGpus = double.PositiveInfinity,
        Memory = long.MaxValue,
        IsUnlimited = true,
    };

    public bool HostsReplicas { get; init; } = true;

    /// <summary>Positive infinity: not limited.</summary>
    public double NumCpus { get; init; } = double.PositiveInfinity;

    public double NumGpus { get; init; }

    /// <summary><see cref="long.MaxValue"/>: not limited.</summary>
    public long Memory { get; init; } = long.MaxValue;

    public ImmutableDictionary<string, double> Custom { get; init; } = ImmutableDictionary<string, double>.Empty;

    /// <summary>Has no limits: every demand fits, custom resources included.</summary>
    public bool IsUnlimited { get; init; }

    public static SiloCapacity From(ServeSiloOptions options) => new()
    {
        HostsReplicas = options.HostsReplicas,
        NumCpus = options.Resources.NumCpus ?? double.PositiveInfinity,
        NumGpus = options.Resources.NumGpus,
        Memory = options.Resources.Memory ?? long.MaxValue,
        Custom = (options.Resources.Custom ?? []).ToImmutableDictionary(),
    };

    public Dictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>
        {
            [HostsReplicasKey] = HostsReplicas ? "true" : "false",
            [NumGpusKey] = NumGpus.ToString("R", CultureInfo.InvariantCulture),
        };
        // Unlimited CPUs and memory are left out.
        if (double.IsFinite(NumCpus))
        {
            metadata[NumCpusKey] = NumCpus.ToString("R", CultureInfo.InvariantCulture);
        }
        if (Memory != long.MaxValue)
        {
            metadata[MemoryKey] = Memory.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (name, amount) in Custom)
        {
            metadata[CustomPrefix + name] = amount.ToString("R", CultureInfo.InvariantCulture);
        }
        return metadata;
    }

    /// <summary>The capacity a silo published, or null when its metadata holds none (not known yet, or not a Serve silo).</summary>
    public static SiloCapacity? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(HostsReplicasKey, out var hosts))
        {
            return null;
        }
        return new SiloCapacity
        {
            HostsReplicas = bool.TryParse(hosts, out var h) && h,
            NumCpus = Number(metadata, NumCpusKey, double.PositiveInfinity),
            NumGpus = Number(metadata, NumGpusKey, 0),
            Memory = metadata.TryGetValue(MemoryKey, out var m) && long.TryParse(m, CultureInfo.InvariantCulture, out var bytes) ? bytes : long.MaxValue,
            Custom = metadata.Where(kv => kv.Key.StartsWith(CustomPrefix, StringComparison.Ordinal))
                .ToImmutableDictionary(kv => kv.Key[CustomPrefix.Length..], kv => double.TryParse(kv.Value, CultureInfo.InvariantCulture, out var v) ? v : 0),
        };
    }

    private static double Number(IReadOnlyDictionary<string, string> metadata, string key, double absent) =>
        metadata.TryGetValue(key, out var text) && double.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : absent;
}
