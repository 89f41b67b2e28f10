using System.Globalization;

namespace Serve;

/// <summary>
/// How one deployment scales its replicas with load: Ray Serve's <c>autoscaling_config</c>, with
/// defaults tuned to react in seconds where Ray's take minutes, plus a burst path for sudden load.
/// </summary>
/// <remarks>
/// The load is the total of ongoing requests: queued at callers plus running in replicas. Every tick
/// the desired count is <c>load / <see cref="TargetOngoingRequests"/></c>, smoothed by
/// <see cref="UpscalingFactor"/> or <see cref="DownscalingFactor"/>, clamped to
/// [<see cref="MinReplicas"/>, <see cref="MaxReplicas"/>], and applied once the same direction has held
/// for <see cref="UpscaleDelay"/> or <see cref="DownscaleDelay"/>. Load within 10% of the target moves
/// nothing, so a steady load never makes the count flap.
/// </remarks>
[GenerateSerializer, Immutable, Alias("serve.autoscaling-config")]
public sealed record AutoscalingConfig
{
    internal const int DefaultMinReplicas = 1;
    internal const int DefaultMaxReplicas = 1;
    internal const double DefaultTargetOngoingRequests = 2;
    internal const double DefaultScalingFactor = 1;
    internal const double DefaultBurstThreshold = 2;
    internal static readonly TimeSpan DefaultUpscaleDelay = TimeSpan.FromSeconds(2);
    internal static readonly TimeSpan DefaultDownscaleDelay = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan DefaultLookBackPeriod = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan DefaultBurstWindow = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Ray's <c>num_replicas="auto"</c>: autoscaling between 1 and 100 replicas at 2 ongoing requests
    /// per replica, every other field at its default.
    /// </summary>
    public static AutoscalingConfig Auto { get; } = new() { MinReplicas = 1, MaxReplicas = 100, TargetOngoingRequests = 2 };

    /// <summary>Fewest replicas; 0 lets an idle deployment scale to zero.</summary>
    /// <value>Default is 1, as in Ray.</value>
    [Id(0)] public int MinReplicas { get; init; } = DefaultMinReplicas;

    /// <summary>Most replicas, at most 10,000.</summary>
    /// <value>Default is 1, as in Ray: set it (or use <see cref="Auto"/>) to let the deployment grow.</value>
    [Id(1)] public int MaxReplicas { get; init; } = DefaultMaxReplicas;

    /// <summary>Replicas started when the deployment is first deployed; null starts <see cref="MinReplicas"/>.</summary>
    /// <value>Default is null (= <see cref="MinReplicas"/>), as in Ray.</value>
    [Id(2)] public int? InitialReplicas { get; init; }

    /// <summary>Ongoing requests (queued and running) each replica should carry on average.</summary>
    /// <value>Default is 2, as in Ray.</value>
    [Id(3)] public double TargetOngoingRequests { get; init; } = DefaultTargetOngoingRequests;

    /// <summary>How long the load must keep asking for more replicas before they are added.</summary>
    /// <value>
    /// Default is 2 s; Ray's is 30 s. With load metrics at most 1 s old this adds replicas about 3 s
    /// after a sustained rise; the look-back mean already filters out short spikes.
    /// </value>
    [Id(4)] public TimeSpan UpscaleDelay { get; init; } = DefaultUpscaleDelay;

    /// <summary>How long the load must keep asking for fewer replicas before they are removed.</summary>
    /// <value>
    /// Default is 30 s; Ray's is 600 s. Ten minutes of idle replicas is costly, and flapping is prevented
    /// by the 10% tolerance and the burst path's hold instead of by a long wait.
    /// </value>
    [Id(5)] public TimeSpan DownscaleDelay { get; init; } = DefaultDownscaleDelay;

    /// <summary>
    /// How long a deployment with <see cref="MinReplicas"/> 0 must have had no requests at all before its
    /// last replicas are removed; null uses <see cref="DownscaleDelay"/>.
    /// </summary>
    /// <value>Default is null (= <see cref="DownscaleDelay"/>, so 30 s), as in Ray.</value>
    [Id(6)] public TimeSpan? DownscaleToZeroDelay { get; init; }

    /// <summary>The window of load samples aggregated into one load figure.</summary>
    /// <value>
    /// Default is 10 s; Ray's is 30 s. Serve's metrics are fresh within 1 s, so 10 s still holds at least
    /// ten samples while tracking a change three times sooner.
    /// </value>
    [Id(7)] public TimeSpan LookBackPeriod { get; init; } = DefaultLookBackPeriod;

    /// <summary>
    /// Share of the gap between the current and the desired count closed by one upscale; below 1 moves
    /// in smaller steps, above 1 overshoots on purpose.
    /// </summary>
    /// <value>Default is 1 (go straight to the desired count), as in Ray.</value>
    [Id(8)] public double UpscalingFactor { get; init; } = DefaultScalingFactor;

    /// <summary>
    /// Share of the gap between the current and the desired count closed by one downscale; a downscale
    /// always removes at least one replica and never goes below what the load needs.
    /// </summary>
    /// <value>Default is 1 (go straight to the desired count), as in Ray.</value>
    [Id(9)] public double DownscalingFactor { get; init; } = DefaultScalingFactor;

    /// <summary>How the samples in <see cref="LookBackPeriod"/> are combined.</summary>
    /// <value>Default is <see cref="AutoscalingAggregation.Mean"/>, as in Ray.</value>
    [Id(10)] public AutoscalingAggregation Aggregation { get; init; } = AutoscalingAggregation.Mean;

    /// <summary>
    /// The short window watched for bursts (Knative's panic window): when the mean load over it reaches
    /// <see cref="BurstThreshold"/> times the current capacity, replicas are added at once, with no
    /// delay, and none are removed until the load has stayed below that for a whole
    /// <see cref="LookBackPeriod"/>. <see cref="TimeSpan.Zero"/> turns the burst path off.
    /// </summary>
    /// <value>Default is 2 s. Ray has no burst path.</value>
    [Id(11)] public TimeSpan BurstWindow { get; init; } = DefaultBurstWindow;

    /// <summary>
    /// Load over <see cref="BurstWindow"/>, as a multiple of the current capacity
    /// (replicas × <see cref="TargetOngoingRequests"/>), that counts as a burst.
    /// </summary>
    /// <value>Default is 2, as in Knative's panic threshold of 200%. Ray has no burst path.</value>
    [Id(12)] public double BurstThreshold { get; init; } = DefaultBurstThreshold;

    /// <summary><see cref="DownscaleToZeroDelay"/>, or <see cref="DownscaleDelay"/> when it is unset.</summary>
    internal TimeSpan EffectiveDownscaleToZeroDelay => DownscaleToZeroDelay ?? DownscaleDelay;

    /// <summary><see cref="InitialReplicas"/>, or <see cref="MinReplicas"/> when it is unset.</summary>
    internal int EffectiveInitialReplicas => InitialReplicas ?? MinReplicas;

    /// <summary>Every problem with this configuration, each naming the field and its value; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (MinReplicas < 0)
        {
            yield return Invariant($"Autoscaling.MinReplicas: {MinReplicas} must be ≥ 0.");
        }
        if (MaxReplicas is < 1 or > DeploymentOptions.MaxReplicaCount)
        {
            yield return MaxReplicas < 1
                ? Invariant($"Autoscaling.MaxReplicas: {MaxReplicas} must be ≥ 1.")
                : Invariant($"Autoscaling.MaxReplicas: {MaxReplicas} must be at most {DeploymentOptions.MaxReplicaCount}.");
        }
        if (MinReplicas > MaxReplicas)
        {
            yield return Invariant($"Autoscaling.MinReplicas: {MinReplicas} must be ≤ MaxReplicas ({MaxReplicas}).");
        }
        if (InitialReplicas is { } initial && (initial < MinReplicas || initial > MaxReplicas))
        {
            yield return Invariant($"Autoscaling.InitialReplicas: {initial} must be between MinReplicas ({MinReplicas}) and MaxReplicas ({MaxReplicas}).");
        }
        if (!(TargetOngoingRequests > 0) || double.IsInfinity(TargetOngoingRequests))
        {
            yield return Invariant($"Autoscaling.TargetOngoingRequests: {TargetOngoingRequests} must be a finite number > 0.");
        }
        if (UpscaleDelay < TimeSpan.Zero)
        {
            yield return Invariant($"Autoscaling.UpscaleDelay: {UpscaleDelay} must not be negative.");
        }
        if (DownscaleDelay < TimeSpan.Zero)
        {
            yield return Invariant($"Autoscaling.DownscaleDelay: {DownscaleDelay} must not be negative.");
        }
        if (DownscaleToZeroDelay < TimeSpan.Zero)
        {
            yield return Invariant($"Autoscaling.DownscaleToZeroDelay: {DownscaleToZeroDelay} must not be negative.");
        }
        if (LookBackPeriod <= TimeSpan.Zero)
        {
            yield return Invariant($"Autoscaling.LookBackPeriod: {LookBackPeriod} must be positive.");
        }
        if (!(UpscalingFactor > 0) || double.IsInfinity(UpscalingFactor))
        {
            yield return Invariant($"Autoscaling.UpscalingFactor: {UpscalingFactor} must be a finite number > 0.");
        }
        if (!(DownscalingFactor > 0) || double.IsInfinity(DownscalingFactor))
        {
            yield return Invariant($"Autoscaling.DownscalingFactor: {DownscalingFactor} must be a finite number > 0.");
        }
        if (!Enum.IsDefined(Aggregation))
        {
            yield return Invariant($"Autoscaling.Aggregation: {(int)Aggregation} must be Mean, Max or Min.");
        }
        if (BurstWindow < TimeSpan.Zero || (LookBackPeriod > TimeSpan.Zero && BurstWindow > LookBackPeriod))
        {
            yield return Invariant($"Autoscaling.BurstWindow: {BurstWindow} must be between 0 (off) and LookBackPeriod ({LookBackPeriod}).");
        }
        if (!(BurstThreshold >= 1) || double.IsInfinity(BurstThreshold))
        {
            yield return Invariant($"Autoscaling.BurstThreshold: {BurstThreshold} must be a finite number ≥ 1.");
        }
    }

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
