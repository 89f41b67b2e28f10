using System.Text.Json.Nodes;
using static Serve.Configuration.Schema.ConfigValueTypes;

namespace Serve.Configuration.Schema;

/// <summary>
/// Every key of a config file, each defined once — name, type and range, default, Ray's name, what it does — and used
/// by the parser, the writer (<c>serve build</c>, status), the JSON Schema (<c>serve schema</c>) and the README.
/// </summary>
internal static class ConfigSchema
{
    private const string NotInRay = "—";
    private const string NotSupported = "Ray has it, Serve does not; remove it.";
    private const string LoggingHint = "Serve logs through Microsoft.Extensions.Logging: configure it in appsettings.json (Logging section); remove it.";

    public static ConfigSection<BatchOptions> Batch { get; } = new()
    {
        Name = "batching.<method>",
        Doc = "The settings of one [Batch] method of the deployment, by method name; each given value replaces the [Batch] attribute's (config > code > attribute).",
        Expected = "a mapping with max_batch_size, batch_wait_timeout_s and max_concurrent_batches",
        Keys =
        [
            new ConfigField<BatchOptions, int>
            {
                Name = "max_batch_size", Type = Integer(1), Default = "10 (or the [Batch] attribute's)", Ray = "@serve.batch(max_batch_size)",
                Doc = "Most inputs in one invocation: a batch runs as soon as this many calls wait.",
                Get = b => b.MaxBatchSize, Set = (b, v) => b with { MaxBatchSize = v },
            },
            new ConfigField<BatchOptions, TimeSpan>
            {
                Name = "batch_wait_timeout_s", Type = Seconds(0), Default = "0.01 (or the [Batch] attribute's)", Ray = "@serve.batch(batch_wait_timeout_s)",
                Doc = "How long the oldest waiting call waits for the batch to fill before it runs anyway.",
                Get = b => b.BatchWaitTimeout, Set = (b, v) => b with { BatchWaitTimeout = v },
            },
            new ConfigField<BatchOptions, int>
            {
                Name = "max_concurrent_batches", Type = Integer(1), Default = "1 (or the [Batch] attribute's)", Ray = "@serve.batch(max_concurrent_batches)",
                Doc = "Batches of the method one replica runs at once.",
                Get = b => b.MaxConcurrentBatches, Set = (b, v) => b with { MaxConcurrentBatches = v },
            },
        ],
    };

    public static ConfigSection<ReplicaResources> Resources { get; } = new()
    {
        Name = "resources",
        Doc = "What one replica needs; placement puts a replica only on a silo with that much unreserved (each given value replaces the code's).",
        Expected = "a mapping with num_cpus, num_gpus, memory and custom",
        Keys =
        [
            new ConfigField<ReplicaResources, double>
            {
                Name = "num_cpus", Type = Number(0), Default = "1", Ray = "ray_actor_options.num_cpus",
                Doc = "CPUs, fractions allowed.", Get = r => r.NumCpus, Set = (r, v) => r with { NumCpus = v },
            },
            new ConfigField<ReplicaResources, double>
            {
                Name = "num_gpus", Type = Number(0), Default = "0", Ray = "ray_actor_options.num_gpus",
                Doc = "GPUs, fractions allowed.", Get = r => r.NumGpus, Set = (r, v) => r with { NumGpus = v },
            },
            new ConfigField<ReplicaResources, long>
            {
                Name = "memory", Type = Long(0), Default = "0", Ray = "ray_actor_options.memory",
                Doc = "Bytes of memory.", Get = r => r.Memory, Set = (r, v) => r with { Memory = v },
            },
            new ConfigField<ReplicaResources, IReadOnlyDictionary<string, double>>
            {
                Name = "custom", Type = NumberMap(0, "resource names"), Default = "none", Ray = "ray_actor_options.resources",
                Doc = "Custom resources by name, e.g. `accelerator:a100: 1`; replaces the code's as a whole.",
                Get = r => r.Custom.Count == 0 ? null : r.Custom, Set = (r, v) => r with { Custom = v },
            },
        ],
    };

    public static ConfigSection<AutoscalingConfig> Autoscaling { get; } = new()
    {
        Name = "autoscaling_config",
        Doc = "How the deployment's replica count follows its load (given: autoscaling is on; each given value replaces the code's, or the defaults).",
        Expected = "a mapping of autoscaling options",
        Hints = new Dictionary<string, string>
        {
            ["target_num_ongoing_requests_per_replica"] = "Renamed 'target_ongoing_requests', as in Ray 2.",
            ["metrics_interval_s"] = "Not needed: load metrics reach the autoscaler every second; remove it.",
            ["smoothing_factor"] = "Use 'upscaling_factor' and 'downscaling_factor'.",
            ["upscale_smoothing_factor"] = "Use 'upscaling_factor'.",
            ["downscale_smoothing_factor"] = "Use 'downscaling_factor'.",
        },
        Keys =
        [
            new ConfigField<AutoscalingConfig, int>
            {
                Name = "min_replicas", Type = Integer(0), Default = "1",
                Doc = "Fewest replicas; 0 lets an idle deployment scale to zero.", Get = a => a.MinReplicas, Set = (a, v) => a with { MinReplicas = v },
            },
            new ConfigField<AutoscalingConfig, int>
            {
                Name = "max_replicas", Type = Integer(1, DeploymentOptions.MaxReplicaCount), Default = "1",
                Doc = "Most replicas (≥ min_replicas).", Get = a => a.MaxReplicas, Set = (a, v) => a with { MaxReplicas = v },
            },
            new ConfigField<AutoscalingConfig, int>
            {
                Name = "initial_replicas", Type = Integer(0), Default = "none (min_replicas)",
                Doc = "Replicas started at the first deploy, between min_replicas and max_replicas.", Get = a => a.InitialReplicas, Set = (a, v) => a with { InitialReplicas = v },
            },
            new ConfigField<AutoscalingConfig, double>
            {
                Name = "target_ongoing_requests", Type = Number(0, exclusive: true), Default = "2",
                Doc = "Ongoing requests (queued and running) each replica should carry on average.",
                Get = a => a.TargetOngoingRequests, Set = (a, v) => a with { TargetOngoingRequests = v },
            },
            new ConfigField<AutoscalingConfig, TimeSpan>
            {
                Name = "upscale_delay_s", Type = Seconds(0), Default = "2",
                Doc = "How long the load must keep asking for more replicas before they are added (Ray's default: 30).",
                Get = a => a.UpscaleDelay, Set = (a, v) => a with { UpscaleDelay = v },
            },
            new ConfigField<AutoscalingConfig, TimeSpan>
            {
                Name = "downscale_delay_s", Type = Seconds(0), Default = "30",
                Doc = "How long the load must keep asking for fewer replicas before they are removed (Ray's default: 600).",
                Get = a => a.DownscaleDelay, Set = (a, v) => a with { DownscaleDelay = v },
            },
            new ConfigField<AutoscalingConfig, TimeSpan>
            {
                Name = "downscale_to_zero_delay_s", Type = Seconds(0), Default = "none (downscale_delay_s)",
                Doc = "How long a deployment with min_replicas 0 must have had no requests before its last replicas are removed.",
                Get = a => a.DownscaleToZeroDelay, Set = (a, v) => a with { DownscaleToZeroDelay = v },
            },
            new ConfigField<AutoscalingConfig, TimeSpan>
            {
                Name = "look_back_period_s", Type = Seconds(0, exclusive: true), Default = "10",
                Doc = "The window of load samples aggregated into one load figure (Ray's default: 30).",
                Get = a => a.LookBackPeriod, Set = (a, v) => a with { LookBackPeriod = v },
            },
            new ConfigField<AutoscalingConfig, double>
            {
                Name = "upscaling_factor", Type = Number(0, exclusive: true), Default = "1",
                Doc = "Share of the gap to the desired count closed by one upscale.", Get = a => a.UpscalingFactor, Set = (a, v) => a with { UpscalingFactor = v },
            },
            new ConfigField<AutoscalingConfig, double>
            {
                Name = "downscaling_factor", Type = Number(0, exclusive: true), Default = "1",
                Doc = "Share of the gap to the desired count closed by one downscale.", Get = a => a.DownscalingFactor, Set = (a, v) => a with { DownscalingFactor = v },
            },
            new ConfigField<AutoscalingConfig, AutoscalingAggregation>
            {
                Name = "aggregation_function",
                Type = Choice(("mean", AutoscalingAggregation.Mean), ("max", AutoscalingAggregation.Max), ("min", AutoscalingAggregation.Min)),
                Default = "\"mean\"", Doc = "How the samples of the look-back period are combined.",
                Get = a => a.Aggregation, Set = (a, v) => a with { Aggregation = v },
            },
            new ConfigField<AutoscalingConfig, TimeSpan>
            {
                Name = "burst_window_s", Type = Seconds(0), Default = "2", Ray = NotInRay,
                Doc = "The short window watched for bursts (≤ look_back_period_s; 0 turns the burst path off): a burst adds replicas at once.",
                Get = a => a.BurstWindow, Set = (a, v) => a with { BurstWindow = v },
            },
            new ConfigField<AutoscalingConfig, double>
            {
                Name = "burst_threshold", Type = Number(1), Default = "2", Ray = NotInRay,
                Doc = "Load over the burst window, as a multiple of the current capacity, that counts as a burst.",
                Get = a => a.BurstThreshold, Set = (a, v) => a with { BurstThreshold = v },
            },
        ],
    };

    /// <summary>The fields of a deployment entry that set one option each; name, num_replicas, autoscaling_config, user_config and batching are read by the parser.</summary>
    public static ConfigSection<DeploymentOptions> Deployment { get; } = new()
    {
        Name = "deployments[]",
        Doc = "Overrides of one deployment's options, by the deployment's name; what is left out keeps the code's value (config > code > defaults).",
        Expected = "a mapping with the deployment's name and the options it overrides",
        Hints = new Dictionary<string, string>
        {
            ["ray_actor_options"] = "Use 'resources' with num_cpus, num_gpus, memory and custom.",
            ["max_replicas_per_node"] = "Use 'max_replicas_per_silo'.",
            ["max_concurrent_queries"] = "Renamed 'max_ongoing_requests', as in Ray 2.",
            ["graceful_shutdown_wait_loop_s"] = "Not needed: a stopping replica is told at once when its last request ends; remove it.",
            ["logging_config"] = LoggingHint,
            ["placement_group_bundles"] = NotSupported,
            ["placement_group_strategy"] = NotSupported,
            ["request_router_config"] = NotSupported,
        },
        Keys =
        [
            new ConfigKey<string>
            {
                Name = "name", Type = Text(), Default = "none: required", Doc = "The name of the deployment whose options this entry overrides.",
            },
            new ConfigShapeKey
            {
                Name = "num_replicas", Shape = $"integer from 0 to {DeploymentOptions.MaxReplicaCount}, or \"auto\"", Default = "1",
                Doc = "How many replicas run; \"auto\" autoscales from 1 to 100 (tuned by autoscaling_config). Left out when autoscaling_config is given.",
                Schema = () => new JsonObject
                {
                    ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = DeploymentOptions.MaxReplicaCount }, new JsonObject { ["const"] = "auto" }),
                },
            },
            new ConfigField<DeploymentOptions, int>
            {
                Name = "max_ongoing_requests", Type = Integer(1), Default = "5",
                Doc = "Most requests one replica runs at once; never exceeded.", Get = o => o.MaxOngoingRequests, Set = (o, v) => o with { MaxOngoingRequests = v },
            },
            new ConfigField<DeploymentOptions, int>
            {
                Name = "max_queued_requests", Type = Integer(-1, rangeText: "≥ 0, or -1 for unbounded"), Default = "-1",
                Doc = "Most requests a caller queues for the deployment before answering 503 (back-pressure).",
                Get = o => o.MaxQueuedRequests, Set = (o, v) => o with { MaxQueuedRequests = v },
            },
            new ConfigKey<ConfigNode>
            {
                Name = "user_config", Type = Any("any value"), Default = "none",
                Doc = "The deployment's own settings, passed to its ReconfigureAsync; changing it reconfigures running replicas without a restart. null removes the code's.",
            },
            new ConfigShapeKey
            {
                Name = "autoscaling_config", Shape = "mapping (autoscaling_config)", Default = "none (a fixed num_replicas)",
                Doc = "Turns autoscaling on with these settings.", Schema = Autoscaling.ToJsonSchema,
            },
            new ConfigField<DeploymentOptions, TimeSpan>
            {
                Name = "health_check_period_s", Type = Seconds(0, exclusive: true), Default = "10",
                Doc = "Time between health checks of each replica.", Get = o => o.HealthCheckPeriod, Set = (o, v) => o with { HealthCheckPeriod = v },
            },
            new ConfigField<DeploymentOptions, TimeSpan>
            {
                Name = "health_check_timeout_s", Type = Seconds(0, exclusive: true), Default = "30",
                Doc = "Time a health check may take before it counts as failed.", Get = o => o.HealthCheckTimeout, Set = (o, v) => o with { HealthCheckTimeout = v },
            },
            new ConfigField<DeploymentOptions, TimeSpan>
            {
                Name = "initialization_timeout_s", Type = Seconds(0, exclusive: true), Default = "600", Ray = NotInRay,
                Doc = "Time a replica's start may take to build its instance (constructor, InitializeAsync, first ReconfigureAsync); then its token is cancelled and the start counts as a failed one.",
                Get = o => o.InitializationTimeout, Set = (o, v) => o with { InitializationTimeout = v },
            },
            new ConfigField<DeploymentOptions, TimeSpan>
            {
                Name = "graceful_shutdown_timeout_s", Type = Seconds(0), Default = "20",
                Doc = "Time a stopping replica waits for its requests in flight before it stops.",
                Get = o => o.GracefulShutdownTimeout, Set = (o, v) => o with { GracefulShutdownTimeout = v },
            },
            new ConfigField<DeploymentOptions, int>
            {
                Name = "max_replicas_per_silo", Type = Integer(0), Default = "0 (no limit)", Ray = "max_replicas_per_node",
                Doc = "Most replicas of the deployment on one silo.", Get = o => o.MaxReplicasPerSilo, Set = (o, v) => o with { MaxReplicasPerSilo = v },
            },
            new ConfigField<DeploymentOptions, int>
            {
                Name = "max_constructor_retry_count", Type = Integer(1), Default = "20",
                Doc = "Constructor failures in a row before the deployment is DEPLOY_FAILED.",
                Get = o => o.MaxConstructorRetryCount, Set = (o, v) => o with { MaxConstructorRetryCount = v },
            },
            new ConfigSectionField<DeploymentOptions, ReplicaResources>
            {
                Name = "resources", Section = Resources, Default = "num_cpus 1", Ray = "ray_actor_options",
                Doc = Resources.Doc, Get = o => o.Resources, Set = (o, v) => o with { Resources = v },
            },
            new ConfigShapeKey
            {
                Name = "batching", Shape = "mapping of [Batch] method names to batching.<method>", Default = "the [Batch] attributes'", Ray = "@serve.batch arguments",
                Doc = "Settings of the deployment's [Batch] methods, changeable at run time.",
                Schema = () => new JsonObject { ["type"] = "object", ["additionalProperties"] = Batch.ToJsonSchema() },
            },
        ],
    };

    public static ConfigSection Application { get; } = new()
    {
        Name = "applications[]",
        Doc = "One application: a builder in an assembly the gateway has loaded, its arguments, its route and overrides of its deployments' options.",
        Expected = "a mapping with name, route_prefix, import_path, args and deployments",
        Hints = new Dictionary<string, string>
        {
            ["runtime_env"] = "Serve has no runtime environments: the builder's assembly must be loaded by the gateway (a project reference, Serve:Assemblies, or `serve run --assembly`); remove it.",
            ["logging_config"] = LoggingHint,
            ["external_scaler_enabled"] = NotSupported,
        },
        Keys =
        [
            new ConfigKey<string>
            {
                Name = "name", Type = Text("string, without '/', control characters or surrounding spaces"), Default = "\"default\"",
                Doc = "The application's name, unique in the file.",
            },
            new ConfigKey<string>
            {
                Name = "route_prefix", Type = Text("string starting with '/', or null", nullable: true), Default = "\"/\"",
                Doc = "The path prefix the gateway routes to the application's ingress; null for no HTTP route (handles only).",
            },
            new ConfigKey<string>
            {
                Name = "import_path", Type = Text("'Assembly:Member'"), Default = "none: required",
                Doc = "The application's builder: a static property, field or method of a type in that assembly returning a bound deployment, e.g. `Serve.Samples:TextPipeline`.",
            },
            new ConfigKey<ConfigNode>
            {
                Name = "args", Type = Any("mapping"), Default = "none",
                Doc = "Arguments passed to a builder method, bound by parameter name (JSON).",
            },
            new ConfigShapeKey
            {
                Name = "deployments", Shape = "list of deployments[]", Default = "none",
                Doc = "Overrides of the options of the application's deployments, by name.",
                Schema = () => new JsonObject { ["type"] = "array", ["items"] = Deployment.ToJsonSchema() },
            },
        ],
    };

    public static ConfigSection HttpOptions { get; } = new()
    {
        Name = "http_options",
        Doc = "Where the gateway listens, and the request timeout of every application in the file.",
        Expected = "a mapping",
        Hints = new Dictionary<string, string>
        {
            ["keep_alive_timeout_s"] = NotSupported,
            ["root_path"] = NotSupported,
        },
        Keys =
        [
            new ConfigKey<string>
            {
                Name = "host", Type = Text("IP address or 'localhost'"), Default = "\"127.0.0.1\"",
                Doc = "The address `serve run` listens on (a running gateway keeps its own).",
            },
            new ConfigKey<int>
            {
                Name = "port", Type = Integer(0, 65535), Default = "8000",
                Doc = "The port `serve run` listens on (a running gateway keeps its own).",
            },
            new ConfigKey<TimeSpan>
            {
                Name = "request_timeout_s", Type = Seconds(0, exclusive: true), Default = "none (no timeout)",
                Doc = "How long an HTTP request may take before it is answered 408.",
            },
        ],
    };

    public static ConfigSection Root { get; } = new()
    {
        Name = "serve config file",
        Doc = "A Serve config file: the applications to run and how the gateway serves them. Applying a file makes the cluster run exactly its applications, besides those run from code, which it leaves running.",
        Expected = "a mapping with the keys http_options and applications",
        Hints = new Dictionary<string, string>
        {
            ["proxy_location"] = "Serve has no proxy to place: every gateway silo serves HTTP; remove it.",
            ["grpc_options"] = NotSupported,
            ["logging_config"] = LoggingHint,
            ["target_capacity"] = NotSupported,
        },
        Keys =
        [
            new ConfigShapeKey
            {
                Name = "http_options", Shape = "mapping (http_options)", Default = "none",
                Doc = HttpOptions.Doc, Schema = HttpOptions.ToJsonSchema,
            },
            new ConfigShapeKey
            {
                Name = "applications", Shape = "list of applications[]", Default = "none: required ([] deletes every application)",
                Doc = "The applications to run; applications running now that the file leaves out are deleted.",
                Schema = () => new JsonObject { ["type"] = "array", ["items"] = Application.ToJsonSchema() },
            },
        ],
    };

    /// <summary>Every section, the root first, in the order the README documents them.</summary>
    public static IReadOnlyList<ConfigSection> Sections { get; } = [Root, HttpOptions, Application, Deployment, Autoscaling, Resources, Batch];

    /// <summary>The JSON Schema of a config file (draft 2020-12), for editors' completion and checks.</summary>
    public static JsonObject ToJsonSchema()
    {
        var schema = Root.ToJsonSchema();
        var document = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "Serve config file",
        };
        foreach (var (key, value) in schema.ToArray())
        {
            schema.Remove(key);
            document[key] = value;
        }
        return document;
    }
}
