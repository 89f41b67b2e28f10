namespace Serve.Configuration;

/// <summary>The keys of each section of a config file (snake_case, as Ray), with advice for keys Ray users may bring along.</summary>
internal static class ConfigKeys
{
    public static readonly string[] Root = ["http_options", "applications"];

    public static readonly string[] HttpOptions = ["host", "port", "request_timeout_s"];

    public static readonly string[] Application = ["name", "route_prefix", "import_path", "args", "deployments"];

    public static readonly string[] Deployment =
    [
        "name", "num_replicas", "max_ongoing_requests", "max_queued_requests", "user_config", "autoscaling_config",
        "health_check_period_s", "health_check_timeout_s", "graceful_shutdown_timeout_s", "resources",
        "max_replicas_per_silo", "max_constructor_retry_count", "batching",
    ];

    public static readonly string[] Batching = ["max_batch_size", "batch_wait_timeout_s", "max_concurrent_batches"];

    public static readonly string[] Autoscaling =
    [
        "min_replicas", "max_replicas", "initial_replicas", "target_ongoing_requests", "upscale_delay_s", "downscale_delay_s",
        "downscale_to_zero_delay_s", "look_back_period_s", "upscaling_factor", "downscaling_factor", "aggregation_function",
        "burst_window_s", "burst_threshold",
    ];

    public static readonly string[] Resources = ["num_cpus", "num_gpus", "memory", "custom"];

    private const string NotSupported = "Ray has it, Serve does not; remove it.";

    public static readonly IReadOnlyDictionary<string, string> RootHints = new Dictionary<string, string>
    {
        ["proxy_location"] = "Serve has no proxy to place: every gateway silo serves HTTP; remove it.",
        ["grpc_options"] = NotSupported,
        ["logging_config"] = "Serve logs through Microsoft.Extensions.Logging: configure it in appsettings.json (Logging section); remove it.",
        ["target_capacity"] = NotSupported,
    };

    public static readonly IReadOnlyDictionary<string, string> HttpOptionsHints = new Dictionary<string, string>
    {
        ["keep_alive_timeout_s"] = NotSupported,
        ["root_path"] = NotSupported,
    };

    public static readonly IReadOnlyDictionary<string, string> ApplicationHints = new Dictionary<string, string>
    {
        ["runtime_env"] = "Serve has no runtime environments: the builder's assembly must be loaded by the gateway (a project reference, Serve:Assemblies, or `serve run --assembly`); remove it.",
        ["logging_config"] = RootHints["logging_config"],
        ["external_scaler_enabled"] = NotSupported,
    };

    public static readonly IReadOnlyDictionary<string, string> DeploymentHints = new Dictionary<string, string>
    {
        ["ray_actor_options"] = "Use 'resources' with num_cpus, num_gpus, memory and custom.",
        ["max_replicas_per_node"] = "Use 'max_replicas_per_silo'.",
        ["max_concurrent_queries"] = "Renamed 'max_ongoing_requests', as in Ray 2.",
        ["graceful_shutdown_wait_loop_s"] = "Not needed: a stopping replica is told at once when its last request ends; remove it.",
        ["logging_config"] = RootHints["logging_config"],
        ["placement_group_bundles"] = NotSupported,
        ["placement_group_strategy"] = NotSupported,
        ["request_router_config"] = NotSupported,
    };

    public static readonly IReadOnlyDictionary<string, string> AutoscalingHints = new Dictionary<string, string>
    {
        ["target_num_ongoing_requests_per_replica"] = "Renamed 'target_ongoing_requests', as in Ray 2.",
        ["metrics_interval_s"] = "Not needed: load metrics reach the autoscaler every second; remove it.",
        ["smoothing_factor"] = "Use 'upscaling_factor' and 'downscaling_factor'.",
        ["upscale_smoothing_factor"] = "Use 'upscaling_factor'.",
        ["downscale_smoothing_factor"] = "Use 'downscaling_factor'.",
    };
}
