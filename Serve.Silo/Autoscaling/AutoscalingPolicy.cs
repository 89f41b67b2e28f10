using System.Globalization;

namespace Serve.Autoscaling;

/// <summary>
/// Decides one deployment's replica count from its load: Ray Serve's proportional rule with its delays
/// and factors, Knative's panic mode for bursts, and scaling to and from zero.
/// </summary>
/// <remarks>
/// Deterministic and passive: no threads, no timers. The owner records the deployment's total ongoing
/// requests every tick (<see cref="Record"/>, zero included, so idleness is seen) and then asks
/// <see cref="Decide"/> with the replica count it currently targets. Delays are measured between
/// <see cref="Decide"/> calls, so it should be called every tick too. The returned count is assumed to
/// be adopted; a count that changes otherwise restarts every delay. Not thread-safe: one grain owns it.
/// </remarks>
internal sealed class AutoscalingPolicy
{
    /// <summary>Load within this share of the current capacity moves nothing (Kubernetes HPA's tolerance), so noise around a boundary never flaps.</summary>
    internal const double Tolerance = 0.1;

    // Absorbs floating-point noise in means, so a load of exactly n × target asks for exactly n replicas.
    private const double Epsilon = 1e-9;

    private readonly TimeProvider _time;
    private readonly List<LoadSample> _samples = [];
    private AutoscalingConfig _config;
    private Direction _pending;
    private DateTimeOffset _pendingSince;
    private int? _lastDecided;
    private DateTimeOffset? _lastBurstAt;
    private DateTimeOffset? _lastBusyAt;

    /// <summary>Creates a policy with no samples and no pending change.</summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> is invalid; the message lists every problem.</exception>
    public AutoscalingPolicy(AutoscalingConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _config = ValidConfig(config);
        _time = time;
    }

    private enum Direction { None, Up, Down }

    /// <summary>The configuration in force.</summary>
    public AutoscalingConfig Config => _config;

    /// <summary>
    /// Applies a new configuration without losing the samples (a lightweight update). Pending delays
    /// restart, and so does the idle time counted towards scaling to zero.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> is invalid; the message lists every problem.</exception>
    public void Reconfigure(AutoscalingConfig config)
    {
        _config = ValidConfig(config);
        ResetPending();
        var now = _time.GetUtcNow();
        if (_lastBusyAt < now)
        {
            _lastBusyAt = now;
        }
    }

    /// <summary>Adds one reading of the deployment's total ongoing requests (queued at callers plus running in replicas).</summary>
    /// <param name="at">When it was read, on this policy's clock.</param>
    /// <param name="totalOngoing">Ongoing requests of the whole deployment; 0 when idle.</param>
    public void Record(DateTimeOffset at, double totalOngoing)
    {
        if (!double.IsFinite(totalOngoing) || totalOngoing < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalOngoing), totalOngoing, "The total of ongoing requests must be a finite number ≥ 0.");
        }
        var sample = new LoadSample(at, totalOngoing);
        var index = _samples.Count;
        while (index > 0 && _samples[index - 1].At > at)
        {
            index--;
        }
        _samples.Insert(index, sample);

        // The first sample starts the idle clock; every busy one restarts it.
        if (_lastBusyAt is null || (totalOngoing > 0 && at > _lastBusyAt))
        {
            _lastBusyAt = at;
        }
        Prune(_time.GetUtcNow());
    }

    /// <summary>The replica count to run now, given the count currently targeted, and why.</summary>
    /// <param name="currentReplicas">The replica count the deployment currently targets (not only those already running).</param>
    public ScalingDecision Decide(int currentReplicas)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(currentReplicas);
        var now = _time.GetUtcNow();
        Prune(now);
        if (_lastDecided != currentReplicas)
        {
            ResetPending();
        }

        var config = _config;
        var current = currentReplicas;
        if (current > config.MaxReplicas)
        {
            return Change(config.MaxReplicas, $"{Replicas(current)} above MaxReplicas → {Replicas(config.MaxReplicas)} at once");
        }
        if (current == 0)
        {
            return DecideFromZero();
        }
        if (current < config.MinReplicas)
        {
            return Change(config.MinReplicas, $"{Replicas(current)} below MinReplicas → {Replicas(config.MinReplicas)} at once");
        }

        var window = Window(now, config.LookBackPeriod);
        if (window.Count == 0)
        {
            ResetPending();
            return Hold(current, $"no load samples in the last {Seconds(config.LookBackPeriod)} → {Replicas(current)} (holding)");
        }

        var target = config.TargetOngoingRequests;
        var load = Aggregate(window, config.Aggregation);
        var desired = load / target;
        var inBurst = DetectBurst(now, current, out var burstLoad);
        if (inBurst)
        {
            var burstReplicas = Clamp(CeilReplicas(burstLoad / target));
            if (burstReplicas > current)
            {
                return Change(burstReplicas, $"burst: load {Number(burstLoad)} over the last {Seconds(config.BurstWindow)} at {Number(burstLoad / (current * target))}× the capacity of {Replicas(current)} → {Replicas(burstReplicas)} at once");
            }
        }

        var idle = config.MinReplicas == 0 && !inBurst && _samples[^1].TotalOngoing == 0 && _lastBusyAt is not null;
        var idleFor = idle ? now - _lastBusyAt!.Value : TimeSpan.Zero;
        if (idle && idleFor >= config.EffectiveDownscaleToZeroDelay)
        {
            return Change(0, $"no requests for {Seconds(idleFor)} (delay to zero {Seconds(config.EffectiveDownscaleToZeroDelay)} elapsed) → 0 replicas");
        }

        var said = $"load {Number(load)} over target {Number(target)}";
        var (direction, next) = Proportional(current, desired);
        if (direction == Direction.None)
        {
            ResetPending();
            if (idle && current == 1)
            {
                return Hold(current, $"no requests for {Seconds(idleFor)} → 0 replicas once the delay to zero ({Seconds(config.EffectiveDownscaleToZeroDelay)}) has elapsed");
            }
            return Hold(current, $"{said} → {Replicas(current)} ({Steadiness(current, desired)})");
        }
        if (direction == Direction.Down && inBurst)
        {
            ResetPending();
            return Hold(current, $"{said} would allow {Replicas(next)}, but a burst was seen {Seconds(now - _lastBurstAt!.Value)} ago: no downscale until {Seconds(config.LookBackPeriod)} without one");
        }

        if (_pending != direction)
        {
            _pending = direction;
            _pendingSince = now;
        }
        var name = direction == Direction.Up ? "upscale" : "downscale";
        var delay = direction == Direction.Up ? config.UpscaleDelay : config.DownscaleDelay;
        var waited = now - _pendingSince;
        return waited >= delay
            ? Change(next, $"{said} → {Replicas(next)} ({name} delay {Seconds(delay)} elapsed)")
            : Hold(current, $"{said} → {Replicas(next)} after the {name} delay ({Seconds(waited)} of {Seconds(delay)} elapsed); {current} until then");
    }

    private ScalingDecision DecideFromZero()
    {
        // Requests wait at the callers while there is no replica: no delay, no look-back mean.
        if (_samples.Count > 0 && _samples[^1] is { TotalOngoing: > 0 } latest)
        {
            var replicas = Clamp(Math.Max(1, CeilReplicas(latest.TotalOngoing / _config.TargetOngoingRequests)));
            return Change(replicas, $"{Number(latest.TotalOngoing)} requests waiting at 0 replicas → {Replicas(replicas)} at once");
        }
        if (_config.MinReplicas > 0)
        {
            return Change(_config.MinReplicas, $"0 replicas below MinReplicas → {Replicas(_config.MinReplicas)} at once");
        }
        ResetPending();
        return Hold(0, "no requests → 0 replicas (idle)");
    }

    /// <summary>Ray's rule, <c>next = ceil(current + factor × (desired − current))</c>, with a tolerance band, at least one step, and a downscale that never undershoots what the load needs.</summary>
    private (Direction Direction, int Next) Proportional(int current, double desired)
    {
        var config = _config;
        if (desired > current * (1 + Tolerance) + Epsilon)
        {
            var up = CeilReplicas(current + (config.UpscalingFactor * (desired - current)));
            var next = Math.Min(Math.Max(up, current + 1), config.MaxReplicas);
            return next > current ? (Direction.Up, next) : (Direction.None, current);
        }
        var needed = CeilReplicas(desired);
        if (desired < (current * (1 - Tolerance)) - Epsilon && needed < current)
        {
            var down = CeilReplicas(current + (config.DownscalingFactor * (desired - current)));
            // Zero is reached only through the idle rule, after the delay to zero.
            var floor = Math.Max(Math.Max(needed, config.MinReplicas), 1);
            var next = Math.Max(Math.Min(down, current - 1), floor);
            return next < current ? (Direction.Down, next) : (Direction.None, current);
        }
        return (Direction.None, current);
    }

    /// <summary>Knative's panic mode: true while a burst was seen within the last look-back period.</summary>
    private bool DetectBurst(DateTimeOffset now, int current, out double burstLoad)
    {
        burstLoad = 0;
        var config = _config;
        if (config.BurstWindow <= TimeSpan.Zero)
        {
            return false;
        }
        var window = Window(now, config.BurstWindow);
        if (window.Count == 0)
        {
            return _lastBurstAt is { } last && now - last < config.LookBackPeriod;
        }
        burstLoad = Aggregate(window, AutoscalingAggregation.Mean);
        var capacity = current * config.TargetOngoingRequests;
        if (burstLoad >= (config.BurstThreshold * capacity) - Epsilon)
        {
            _lastBurstAt = now;
        }
        return _lastBurstAt is { } seen && now - seen < config.LookBackPeriod;
    }

    private List<LoadSample> Window(DateTimeOffset now, TimeSpan length)
    {
        var from = now - length;
        return _samples.FindAll(s => s.At > from);
    }

    private static double Aggregate(List<LoadSample> window, AutoscalingAggregation aggregation) => aggregation switch
    {
        AutoscalingAggregation.Max => window.Max(s => s.TotalOngoing),
        AutoscalingAggregation.Min => window.Min(s => s.TotalOngoing),
        _ => window.Average(s => s.TotalOngoing),
    };

    private void Prune(DateTimeOffset now)
    {
        // The burst window is never longer than the look-back period (validated), so this keeps both.
        var from = now - _config.LookBackPeriod;
        var stale = 0;
        while (stale < _samples.Count && _samples[stale].At <= from)
        {
            stale++;
        }
        _samples.RemoveRange(0, stale);
    }

    private int Clamp(int replicas) => Math.Clamp(replicas, _config.MinReplicas, _config.MaxReplicas);

    private static int CeilReplicas(double replicas) => (int)Math.Min(Math.Ceiling(replicas - Epsilon), int.MaxValue);

    private ScalingDecision Change(int replicas, string reason)
    {
        ResetPending();
        _lastDecided = replicas;
        return new ScalingDecision(replicas, reason);
    }

    private ScalingDecision Hold(int replicas, string reason)
    {
        _lastDecided = replicas;
        return new ScalingDecision(replicas, reason);
    }

    private void ResetPending() => _pending = Direction.None;

    private string Steadiness(int current, double desired)
    {
        var needed = CeilReplicas(desired);
        return needed == current ? "steady"
            : needed > current && current >= _config.MaxReplicas ? "at MaxReplicas"
            : needed < current && current <= Math.Max(_config.MinReplicas, 1) ? "at MinReplicas"
            : $"within {Number(Tolerance * 100)}% of target";
    }

    private static AutoscalingConfig ValidConfig(AutoscalingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = config.Validate().ToList();
        return errors.Count == 0 ? config : throw new ArgumentException(string.Join(" ", errors), nameof(config));
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Replicas(int count) => count == 1 ? "1 replica" : $"{count} replicas";

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
}
