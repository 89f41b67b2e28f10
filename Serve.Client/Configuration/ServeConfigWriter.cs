using Serve.Configuration.Schema;

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
        entries.Add(options.Autoscaling is { } autoscaling
            ? new("autoscaling_config", ConfigNode.Mapping([.. ConfigSchema.Autoscaling.Write(autoscaling)]))
            : new("num_replicas", ConfigNode.Of(options.NumReplicas)));
        if (options.UserConfig is { } userConfig)
        {
            entries.Add(new("user_config", ConfigJson.Read(userConfig)));
        }
        entries.AddRange(ConfigSchema.Deployment.Write(options));
        if ((type is null ? DescribeBatching(options.Batching) : DescribeBatching(type, options)) is { } batching)
        {
            entries.Add(new("batching", batching));
        }
        return ConfigNode.Mapping(entries);
    }

    /// <summary>The batching settings given in options, as given.</summary>
    private static ConfigNode? DescribeBatching(IReadOnlyDictionary<string, BatchOptions> batching) => batching.Count == 0 ? null
        : ConfigNode.Mapping(batching.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new KeyValuePair<string, ConfigNode>(b.Key, ConfigNode.Mapping([.. ConfigSchema.Batch.Write(b.Value)]))));

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
            var given = new BatchOptions { MaxBatchSize = settings.MaxBatchSize, BatchWaitTimeout = settings.BatchWaitTimeout, MaxConcurrentBatches = settings.MaxConcurrentBatches };
            return new KeyValuePair<string, ConfigNode>(m.Name, ConfigNode.Mapping([.. ConfigSchema.Batch.Write(given)]));
        }));
    }
}
