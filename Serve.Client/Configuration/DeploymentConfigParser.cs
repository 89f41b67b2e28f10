using System.Globalization;
using Serve.Configuration.Schema;

namespace Serve.Configuration;

/// <summary>
/// Binds one entry of an application's <c>deployments</c> list, reporting every problem with its path. The keys,
/// their types and ranges are <see cref="ConfigSchema"/>'s; this adds the rules that span keys.
/// </summary>
internal static class DeploymentConfigParser
{
    public static DeploymentConfig? Bind(ConfigNode node, string path, ConfigProblems problems)
    {
        var deployment = ConfigSchema.Deployment.Open(node, path, problems);
        if (deployment is null)
        {
            return null;
        }

        var name = deployment.String("name");
        if (name is null && !deployment.Has("name"))
        {
            problems.Add(deployment.PathOf("name"), "is required: the name of the deployment whose options this entry overrides.");
        }

        int? numReplicas = null;
        var auto = false;
        if (deployment.Node("num_replicas") is { Kind: ConfigNodeKind.String } replicasText)
        {
            auto = replicasText.String == "auto";
            if (!auto)
            {
                problems.Add(deployment.PathOf("num_replicas"), $"must be an integer ≥ 0 or \"auto\" (got {replicasText.Describe()}).");
            }
        }
        else
        {
            numReplicas = deployment.Int("num_replicas", 0);
            if (numReplicas > DeploymentOptions.MaxReplicaCount)
            {
                problems.Add(deployment.PathOf("num_replicas"), $"must be at most {DeploymentOptions.MaxReplicaCount} (got {numReplicas}).");
                numReplicas = null;
            }
        }

        var autoscaling = deployment.Node("autoscaling_config") is { Kind: not ConfigNodeKind.Null } autoscalingNode
            ? BindAutoscaling(autoscalingNode, deployment.PathOf("autoscaling_config"), problems)
            : null;
        if (deployment.Has("autoscaling_config") && deployment.Node("num_replicas") is { Kind: ConfigNodeKind.Integer })
        {
            problems.Add(deployment.PathOf("num_replicas"), "must be left out, or be \"auto\", when autoscaling_config is given: the autoscaler sets the replica count.");
        }

        var batching = deployment.Node("batching") is { Kind: not ConfigNodeKind.Null } batchingNode
            ? BindBatching(batchingNode, deployment.PathOf("batching"), problems)
            : null;
        var userConfig = deployment.Node("user_config");

        // Every value is read, and so checked, even when the entry has no name: all problems are reported at once.
        var entry = new DeploymentConfig
        {
            Path = path,
            Name = name ?? "",
            NumReplicas = numReplicas,
            AutoReplicas = auto,
            HasUserConfig = userConfig is not null,
            UserConfigJson = userConfig is null or { Kind: ConfigNodeKind.Null } ? null : ConfigJson.Write(userConfig),
            Autoscaling = autoscaling,
            Options = ConfigSchema.Deployment.Read(deployment),
            Batching = batching,
        };
        return name is null ? null : entry;
    }

    private static ConfigOverride<AutoscalingConfig>? BindAutoscaling(ConfigNode node, string path, ConfigProblems problems)
    {
        var config = ConfigSchema.Autoscaling.Open(node, path, problems);
        if (config is null)
        {
            return null;
        }
        var values = ConfigSchema.Autoscaling.Read(config);
        var min = values["min_replicas"] as int?;
        var max = values["max_replicas"] as int?;
        if (min > max)
        {
            problems.Add(config.PathOf("min_replicas"), $"must be ≤ max_replicas (got {min} > {max}).");
        }
        if (values["initial_replicas"] is int start && min <= max && (start < min || start > max))
        {
            problems.Add(config.PathOf("initial_replicas"), $"must be between min_replicas and max_replicas (got {start}, not in [{min}, {max}]).");
        }
        if (values["burst_window_s"] is TimeSpan burstWindow && values["look_back_period_s"] is TimeSpan lookBack && burstWindow > lookBack)
        {
            problems.Add(config.PathOf("burst_window_s"), $"must be ≤ look_back_period_s (got {burstWindow.TotalSeconds.ToString(CultureInfo.InvariantCulture)} > {lookBack.TotalSeconds.ToString(CultureInfo.InvariantCulture)}).");
        }
        return values;
    }

    private static Dictionary<string, BatchOptions>? BindBatching(ConfigNode node, string path, ConfigProblems problems)
    {
        if (ConfigMapping.Open(node, path, problems, "a mapping of [Batch] method names to their settings") is null)
        {
            return null;
        }
        var batching = new Dictionary<string, BatchOptions>(StringComparer.Ordinal);
        foreach (var (method, settingsNode) in node.Entries)
        {
            if (ConfigSchema.Batch.Open(settingsNode, ConfigProblems.Child(path, method), problems) is { } settings)
            {
                batching[method] = ConfigSchema.Batch.Read(settings).ApplyTo(new BatchOptions());
            }
        }
        return batching;
    }
}
