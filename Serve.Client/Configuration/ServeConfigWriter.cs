using System.Globalization;

namespace Serve.Configuration;

/// <summary>Writes config files: the defaults of applications built in code (<c>serve build</c>), and deployments' options in config form.</summary>
internal static class ServeConfigWriter
{
    /// <summary>A config file running <paramref name="applications"/> with the options of their code made explicit.</summary>
    public static ConfigNode Build(IReadOnlyList<(string Name, string RoutePrefix, ApplicationBuilder Builder, BoundDeployment App)> applications, string host, int port) =>
        ConfigNode.Mapping(
        [
            new("http_options", ConfigNode.Mapping([new("host", ConfigNode.Of(host)), new("port", ConfigNode.Of(port))])),
            new("applications", ConfigNode.Sequence(applications.Select(a => ConfigNode.Mapping(
            [
                new("name", ConfigNode.Of(a.Name)),
                new("route_prefix", ConfigNode.Of(a.RoutePrefix)),
                new("import_path", ConfigNode.Of(a.Builder.ImportPath)),
                new("args", ConfigJson.Read(a.Builder.DefaultArgsJson())),
                new("deployments", ConfigNode.Sequence(GraphOverrides.Nodes(a.App).Select(n => Describe(n.Definition.DeploymentOptions, n.Definition.Type)))),
            ])))),
        ]);

    /// <summary>Every option of a deployment as a <c>deployments</c> entry would set it; with its class, the settings of its [Batch] methods too.</summary>
    public static ConfigNode Describe(DeploymentOptions options, Type? type = null)
    {
        var entries = new List<KeyValuePair<string, ConfigNode>> { new("name", ConfigNode.Of(options.Name)) };
        if (options.Autoscaling is { } autoscaling)
        {
            entries.Add(new("autoscaling_config", Describe(autoscaling)));
        }
        else
        {
            entries.Add(new("num_replicas", ConfigNode.Of(options.NumReplicas)));
        }
        entries.Add(new("max_ongoing_requests", ConfigNode.Of(options.MaxOngoingRequests)));
        entries.Add(new("max_queued_requests", ConfigNode.Of(options.MaxQueuedRequests)));
        if (options.UserConfig is { } userConfig)
        {
            entries.Add(new("user_config", ConfigJson.Read(userConfig)));
        }
        entries.Add(new("health_check_period_s", Seconds(options.HealthCheckPeriod)));
        entries.Add(new("health_check_timeout_s", Seconds(options.HealthCheckTimeout)));
        entries.Add(new("graceful_shutdown_timeout_s", Seconds(options.GracefulShutdownTimeout)));
        entries.Add(new("max_replicas_per_silo", ConfigNode.Of(options.MaxReplicasPerSilo)));
        entries.Add(new("max_constructor_retry_count", ConfigNode.Of(options.MaxConstructorRetryCount)));
        var resources = new List<KeyValuePair<string, ConfigNode>>
        {
            new("num_cpus", ConfigNode.Of(options.Resources.NumCpus)),
            new("num_gpus", ConfigNode.Of(options.Resources.NumGpus)),
            new("memory", ConfigNode.Of(options.Resources.Memory)),
        };
        if (options.Resources.Custom.Count > 0)
        {
            resources.Add(new("custom", ConfigNode.Mapping(options.Resources.Custom.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new KeyValuePair<string, ConfigNode>(c.Key, ConfigNode.Of(c.Value))))));
        }
        entries.Add(new("resources", ConfigNode.Mapping(resources)));
        if ((type is null ? DescribeBatching(options.Batching) : DescribeBatching(type, options)) is { } batching)
        {
            entries.Add(new("batching", batching));
        }
        return ConfigNode.Mapping(entries);
    }

    /// <summary>The batching settings given in options, as given.</summary>
    private static ConfigNode? DescribeBatching(IReadOnlyDictionary<string, BatchOptions> batching) => batching.Count == 0 ? null
        : ConfigNode.Mapping(batching.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b =>
        {
            var settings = new List<KeyValuePair<string, ConfigNode>>();
            if (b.Value.MaxBatchSize is { } size)
            {
                settings.Add(new("max_batch_size", ConfigNode.Of(size)));
            }
            if (b.Value.BatchWaitTimeout is { } wait)
            {
                settings.Add(new("batch_wait_timeout_s", ConfigNode.Of(wait.TotalSeconds)));
            }
            if (b.Value.MaxConcurrentBatches is { } concurrent)
            {
                settings.Add(new("max_concurrent_batches", ConfigNode.Of(concurrent)));
            }
            return new KeyValuePair<string, ConfigNode>(b.Key, ConfigNode.Mapping(settings));
        }));

    /// <summary>Every [Batch] method of <paramref name="type"/> with the settings it runs with.</summary>
    private static ConfigNode? DescribeBatching(Type type, DeploymentOptions options)
    {
        var methods = type.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(m => Batching.BatchMethod.IsBatched(m) && Batching.BatchMethod.Check(m) is null)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToArray();
        if (methods.Length == 0)
        {
            return null;
        }
        return ConfigNode.Mapping(methods.Select(m =>
        {
            var settings = Batching.BatchMethod.For(m)!.Attribute.ToSettings().With(Batching.InstanceBatches.ConfigFor(m.Name, options.Batching));
            return new KeyValuePair<string, ConfigNode>(m.Name, ConfigNode.Mapping(
            [
                new("max_batch_size", ConfigNode.Of(settings.MaxBatchSize)),
                new("batch_wait_timeout_s", ConfigNode.Of(settings.BatchWaitTimeout.TotalSeconds)),
                new("max_concurrent_batches", ConfigNode.Of(settings.MaxConcurrentBatches)),
            ]));
        }));
    }

    private static ConfigNode Describe(AutoscalingConfig config)
    {
        var entries = new List<KeyValuePair<string, ConfigNode>>
        {
            new("min_replicas", ConfigNode.Of(config.MinReplicas)),
            new("max_replicas", ConfigNode.Of(config.MaxReplicas)),
        };
        if (config.InitialReplicas is { } initial)
        {
            entries.Add(new("initial_replicas", ConfigNode.Of(initial)));
        }
        entries.Add(new("target_ongoing_requests", ConfigNode.Of(config.TargetOngoingRequests)));
        entries.Add(new("upscale_delay_s", Seconds(config.UpscaleDelay)));
        entries.Add(new("downscale_delay_s", Seconds(config.DownscaleDelay)));
        if (config.DownscaleToZeroDelay is { } toZero)
        {
            entries.Add(new("downscale_to_zero_delay_s", Seconds(toZero)));
        }
        entries.Add(new("look_back_period_s", Seconds(config.LookBackPeriod)));
        entries.Add(new("upscaling_factor", ConfigNode.Of(config.UpscalingFactor)));
        entries.Add(new("downscaling_factor", ConfigNode.Of(config.DownscalingFactor)));
        entries.Add(new("aggregation_function", ConfigNode.Of(config.Aggregation.ToString().ToLower(CultureInfo.InvariantCulture))));
        entries.Add(new("burst_window_s", Seconds(config.BurstWindow)));
        entries.Add(new("burst_threshold", ConfigNode.Of(config.BurstThreshold)));
        return ConfigNode.Mapping(entries);
    }

    private static ConfigNode Seconds(TimeSpan value) => value.Ticks % TimeSpan.TicksPerSecond == 0
        ? ConfigNode.Of((long)value.TotalSeconds)
        : ConfigNode.Of(value.TotalSeconds);
}
