namespace Serve.Cluster;

/// <summary>
/// Where a silo or client finds its cluster, bound from the configuration section <see cref="SectionName"/>
/// (appsettings.json, or environment variables such as <c>Serve__Cluster__Mode=Redis</c>).
/// </summary>
public sealed class ServeClusterOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Cluster";

    /// <summary>Embedded (one process) or Redis (many processes). Default is <see cref="ClusterMode.Embedded"/>.</summary>
    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>
    /// The StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>redis:6379,password=...</c>.
    /// Required in <see cref="ClusterMode.Redis"/>. Default is none.
    /// </summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>The cluster's id: silos and clients with the same id form one cluster. Default is <c>serve</c>.</summary>
    public string ClusterId { get; set; } = "serve";

    /// <summary>
    /// The service's id: stored state is keyed by it, so it must stay the same across restarts and redeployments
    /// of the cluster. Default is <c>serve</c>.
    /// </summary>
    public string ServiceId { get; set; } = "serve";

    /// <summary>
    /// The port silos talk to each other on. Default is 11111 in <see cref="ClusterMode.Redis"/>, and in
    /// <see cref="ClusterMode.Embedded"/> a free loopback port taken at start: no other silo joins an embedded one, so
    /// several embedded processes (the samples, your program, <c>serve run</c>) run on one machine at once.
    /// </summary>
    public int? SiloPort { get; set; }

    /// <summary>
    /// The port external Orleans clients connect to; 0 accepts no clients. Default is 30000 in <see cref="ClusterMode.Redis"/>,
    /// and none in <see cref="ClusterMode.Embedded"/>: an embedded silo takes no Orleans clients unless this is set
    /// (and a client of an embedded silo must set it).
    /// </summary>
    public int? GatewayPort { get; set; }

    /// <summary>
    /// The IP address this silo gives other silos and clients (in <see cref="ClusterMode.Redis"/>); it also listens on it.
    /// A host name (such as a container's hostname) is resolved to its IP (IPv4 first) once at start.
    /// Default is none: Orleans picks this machine's first non-loopback address. Tests on one machine use <c>127.0.0.1</c>.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>How quickly a dead silo is detected. Default is <see cref="LivenessProfile.Default"/>.</summary>
    public LivenessProfile Liveness { get; set; } = LivenessProfile.Default;

    /// <summary>
    /// Mutual TLS for silo-to-silo and client-to-silo connections (section <c>Serve:Cluster:Tls</c>).
    /// Default is off; <see cref="ClusterMode.Redis"/> refuses to start without it unless <see cref="AllowInsecure"/> is set.
    /// </summary>
    public ServeClusterTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Lets a <see cref="ClusterMode.Redis"/> silo or client run without <see cref="Tls"/>: anyone who reaches its
    /// ports can then join the cluster and run code on it. For a network only trusted parties reach; a warning is
    /// logged at every start. Default is false.
    /// </summary>
    public bool AllowInsecure { get; set; }

    /// <summary>
    /// Whether an external Orleans client of a <see cref="ClusterMode.Redis"/> cluster sends its handle calls over the
    /// silos' data plane (their exchange ports, with the cluster's mutual TLS), as silos do, rather than as Orleans
    /// messages through its gateway. A client that cannot reach those ports (outside the silos' network) warns once per
    /// silo and goes on through Orleans; false skips the attempt. Silos ignore it (<c>Serve:Silo:ExchangeEnabled</c>).
    /// Default is true.
    /// </summary>
    public bool ClientDataPlane { get; set; } = true;

    /// <summary>
    /// The largest data-plane frame (a handle call with its arguments, or a whole answer) an external Orleans client
    /// (<see cref="ClientDataPlane"/>) reads or writes: a call over it fails at once with <see cref="MessageTooLargeException"/>
    /// naming this setting, and an answer over it closes the connection. Keep it equal to the silos'
    /// <c>Serve:Silo:ExchangeMaxFrameBytes</c>, which they use instead of this. At least 4096. Default 100 MiB, as Orleans' message bodies.
    /// </summary>
    public int ExchangeMaxFrameBytes { get; set; } = Exchange.ExchangeLimits.DefaultMaxFrameBytes;

    /// <summary>
    /// How long an external Orleans client (<c>client.UseServeCluster</c>) keeps trying to reach the cluster at start,
    /// once a second, before its start fails naming where it looked and the fix. Silos ignore it. Default is 30 s.
    /// </summary>
    public TimeSpan ClientConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an external Orleans client (<see cref="ClientDataPlane"/>) waits for any sign of life from a silo whose
    /// data-plane connection it pinged: past it, the silo is taken for frozen or cut off, its connection closed as broken
    /// and its replicas avoided until a connection to it works again. Silos use <c>Serve:Silo:ExchangePingTimeout</c>
    /// instead. From 1 s to 1 min. Default 4 s.
    /// </summary>
    public TimeSpan ExchangePingTimeout { get; set; } = Exchange.ExchangeLimits.DefaultPingTimeout;

    /// <summary>The Orleans client port when <see cref="GatewayPort"/> is not set: 30000 in Redis mode, none when embedded.</summary>
    internal int EffectiveGatewayPort => GatewayPort ?? (Mode == ClusterMode.Redis ? DefaultGatewayPort : 0);

    internal const int DefaultGatewayPort = 30000;

    internal const int DefaultSiloPort = 11111;

    /// <summary>The silo port when it is known before start: <see cref="SiloPort"/>, else 11111 in Redis mode; none when embedded (a free port).</summary>
    internal int? KnownSiloPort => SiloPort ?? (Mode == ClusterMode.Redis ? DefaultSiloPort : null);
}
