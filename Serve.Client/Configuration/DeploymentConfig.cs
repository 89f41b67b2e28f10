using Serve.Configuration.Schema;

namespace Serve.Configuration;

/// <summary>
/// One entry of an application's <c>deployments</c>: overrides of the code's options for the deployment of that
/// name. Precedence is config &gt; code &gt; defaults, field by field: what is not given keeps the code's value.
/// </summary>
internal sealed record DeploymentConfig
{
    /// <summary>Where the entry is in the file, e.g. <c>applications[0].deployments[1]</c>.</summary>
    public required string Path { get; init; }

    public required string Name { get; init; }

    public int? NumReplicas { get; init; }

    /// <summary><c>num_replicas: auto</c>: autoscaling with <see cref="AutoscalingConfig.Auto"/> under any <see cref="Autoscaling"/> given.</summary>
    public bool AutoReplicas { get; init; }

    /// <summary>Whether <c>user_config</c> is given; with <see cref="UserConfigJson"/> null it removes the code's.</summary>
    public bool HasUserConfig { get; init; }

    public string? UserConfigJson { get; init; }

    /// <summary><c>autoscaling_config</c>, applied over the code's autoscaling (or the defaults).</summary>
    public ConfigOverride<AutoscalingConfig>? Autoscaling { get; init; }

    /// <summary>The entry's keys that set one option each (<see cref="ConfigSchema.Deployment"/>), resources included.</summary>
    public ConfigOverride<DeploymentOptions> Options { get; init; } = ConfigOverride<DeploymentOptions>.Empty;

    /// <summary><c>batching</c>: settings of [Batch] methods by method name; each replaces the code's settings field by field.</summary>
    public IReadOnlyDictionary<string, BatchOptions>? Batching { get; init; }

    /// <summary>The code's options with every field this entry gives replaced.</summary>
    public DeploymentOptions ApplyTo(DeploymentOptions code)
    {
        var options = Options.ApplyTo(code) with
        {
            UserConfig = HasUserConfig ? UserConfigJson : code.UserConfig,
            Batching = Batching is null ? code.Batching : MergeBatching(code.Batching, Batching),
        };
        if (NumReplicas is { } fixedCount)
        {
            // A fixed count in the file turns off autoscaling set in code.
            return options with { NumReplicas = fixedCount, Autoscaling = null };
        }
        if (AutoReplicas)
        {
            return options with { Autoscaling = Autoscaling?.ApplyTo(AutoscalingConfig.Auto) ?? AutoscalingConfig.Auto };
        }
        if (Autoscaling is not null)
        {
            return options with { Autoscaling = Autoscaling.ApplyTo(code.Autoscaling ?? new AutoscalingConfig()) };
        }
        return options;
    }

    private static Dictionary<string, BatchOptions> MergeBatching(IReadOnlyDictionary<string, BatchOptions> code, IReadOnlyDictionary<string, BatchOptions> config)
    {
        var merged = code.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (method, options) in config)
        {
            merged[method] = merged.TryGetValue(method, out var fromCode)
                ? fromCode with
                {
                    MaxBatchSize = options.MaxBatchSize ?? fromCode.MaxBatchSize,
                    BatchWaitTimeout = options.BatchWaitTimeout ?? fromCode.BatchWaitTimeout,
                    MaxConcurrentBatches = options.MaxConcurrentBatches ?? fromCode.MaxConcurrentBatches,
                }
                : options;
        }
        return merged;
    }
}
