namespace Serve.Configuration;

/// <summary>Binds one entry of an application's <c>deployments</c> list, reporting every problem with its path.</summary>
internal static class DeploymentConfigParser
{
    public static DeploymentConfig? Bind(ConfigNode node, string path, ConfigProblems problems)
    {
        var deployment = ConfigMapping.Open(node, path, problems, "a mapping with the deployment's name and the options it overrides");
        if (deployment is null)
        {
            return null;
        }
        deployment.RejectUnknownKeys(ConfigKeys.Deployment, ConfigKeys.DeploymentHints);

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
        var resources = deployment.Node("resources") is { Kind: not ConfigNodeKind.Null } resourcesNode
            ? BindResources(resourcesNode, deployment.PathOf("resources"), problems)
            : null;

        // Every value is read, and so checked, even when the entry has no name: all problems are reported at once.
        var entry = new DeploymentConfig
        {
            Path = path,
            Name = name ?? "",
            NumReplicas = numReplicas,
            AutoReplicas = auto,
            MaxOngoingRequests = deployment.Int("max_ongoing_requests", 1),
            MaxQueuedRequests = deployment.Int("max_queued_requests", -1, "must be ≥ 0, or -1 for unbounded"),
            HasUserConfig = userConfig is not null,
            UserConfigJson = userConfig is null or { Kind: ConfigNodeKind.Null } ? null : ConfigJson.Write(userConfig),
            Autoscaling = autoscaling,
            HealthCheckPeriod = Seconds(deployment.Number("health_check_period_s", 0, exclusive: true)),
            HealthCheckTimeout = Seconds(deployment.Number("health_check_timeout_s", 0, exclusive: true)),
            GracefulShutdownTimeout = Seconds(deployment.Number("graceful_shutdown_timeout_s", 0)),
            Resources = resources,
            MaxReplicasPerSilo = deployment.Int("max_replicas_per_silo", 0),
            MaxConstructorRetryCount = deployment.Int("max_constructor_retry_count", 1),
            Batching = batching,
        };
        return name is null ? null : entry;
    }

    private static AutoscalingOverride? BindAutoscaling(ConfigNode node, string path, ConfigProblems problems)
    {
        var config = ConfigMapping.Open(node, path, problems, "a mapping of autoscaling options");
        if (config is null)
        {
            return null;
        }
        config.RejectUnknownKeys(ConfigKeys.Autoscaling, ConfigKeys.AutoscalingHints);
        var min = config.Int("min_replicas", 0);
        var max = config.Int("max_replicas", 1);
        var initial = config.Int("initial_replicas", 0);
        if (min > max)
        {
            problems.Add(config.PathOf("min_replicas"), $"must be ≤ max_replicas (got {min} > {max}).");
        }
        if (initial is { } start && min <= max && (start < min || start > max))
        {
            problems.Add(config.PathOf("initial_replicas"), $"must be between min_replicas and max_replicas (got {start}, not in [{min}, {max}]).");
        }

        AutoscalingAggregation? aggregation = null;
        if (config.String("aggregation_function") is { } function)
        {
            aggregation = function switch
            {
                "mean" => AutoscalingAggregation.Mean,
                "max" => AutoscalingAggregation.Max,
                "min" => AutoscalingAggregation.Min,
                _ => null,
            };
            if (aggregation is null)
            {
                problems.Add(config.PathOf("aggregation_function"), $"must be \"mean\", \"max\" or \"min\" (got \"{function}\").");
            }
        }

        var lookBack = config.Number("look_back_period_s", 0, exclusive: true);
        var burstWindow = config.Number("burst_window_s", 0);
        if (burstWindow > lookBack)
        {
            problems.Add(config.PathOf("burst_window_s"), $"must be ≤ look_back_period_s (got {burstWindow} > {lookBack}).");
        }
        return new AutoscalingOverride
        {
            MinReplicas = min,
            MaxReplicas = max,
            InitialReplicas = initial,
            TargetOngoingRequests = config.Number("target_ongoing_requests", 0, exclusive: true),
            UpscaleDelay = Seconds(config.Number("upscale_delay_s", 0)),
            DownscaleDelay = Seconds(config.Number("downscale_delay_s", 0)),
            DownscaleToZeroDelay = Seconds(config.Number("downscale_to_zero_delay_s", 0)),
            LookBackPeriod = Seconds(lookBack),
            UpscalingFactor = config.Number("upscaling_factor", 0, exclusive: true),
            DownscalingFactor = config.Number("downscaling_factor", 0, exclusive: true),
            Aggregation = aggregation,
            BurstWindow = Seconds(burstWindow),
            BurstThreshold = config.Number("burst_threshold", 1),
        };
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
            var settings = ConfigMapping.Open(settingsNode, ConfigProblems.Child(path, method), problems,
                "a mapping with max_batch_size, batch_wait_timeout_s and max_concurrent_batches");
            if (settings is null)
            {
                continue;
            }
            settings.RejectUnknownKeys(ConfigKeys.Batching);
            batching[method] = new BatchOptions
            {
                MaxBatchSize = settings.Int("max_batch_size", 1),
                BatchWaitTimeout = Seconds(settings.Number("batch_wait_timeout_s", 0)),
                MaxConcurrentBatches = settings.Int("max_concurrent_batches", 1),
            };
        }
        return batching;
    }

    private static ResourcesOverride? BindResources(ConfigNode node, string path, ConfigProblems problems)
    {
        var resources = ConfigMapping.Open(node, path, problems, "a mapping with num_cpus, num_gpus, memory and custom");
        if (resources is null)
        {
            return null;
        }
        resources.RejectUnknownKeys(ConfigKeys.Resources);
        Dictionary<string, double>? custom = null;
        if (resources.Node("custom") is { Kind: not ConfigNodeKind.Null } customNode
            && ConfigMapping.Open(customNode, resources.PathOf("custom"), problems, "a mapping of resource names to amounts") is { } customMapping)
        {
            custom = [];
            foreach (var (name, _) in customNode.Entries)
            {
                if (customMapping.Number(name, 0) is { } amount)
                {
                    custom[name] = amount;
                }
            }
        }
        return new ResourcesOverride
        {
            NumCpus = resources.Number("num_cpus", 0),
            NumGpus = resources.Number("num_gpus", 0),
            Memory = resources.Long("memory", 0),
            Custom = custom,
        };
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is { } value ? TimeSpan.FromSeconds(value) : null;
}
