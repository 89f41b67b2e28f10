namespace Serve.Exchange;

/// <summary>The data plane's bounds, from <c>Serve:Silo</c> on a silo or <c>Serve:Cluster</c> on an external client (validated at start).</summary>
/// <param name="MaxFrameBytes">The largest frame either end reads or writes; a peer's larger frame closes its connection.</param>
/// <param name="MaxCallsInFlight">Calls one connection may have running on a silo; past it, the silo answers new calls as full (the router tries again, elsewhere or later) and goes on reading, so cancels still arrive.</param>
/// <param name="FrameSetting">The setting <paramref name="MaxFrameBytes"/> came from, named by the error a frame over it raises.</param>
internal sealed record ExchangeLimits(int MaxFrameBytes, int MaxCallsInFlight, string FrameSetting = ExchangeLimits.SiloFrameSetting)
{
    /// <summary>Orleans' own default for a message body: an answer Orleans carries fits in a frame too.</summary>
    public const int DefaultMaxFrameBytes = 100 * 1024 * 1024;

    /// <summary>A frame must hold at least a small exchange and its answer.</summary>
    public const int MinFrameBytes = 4096;

    public const int DefaultMaxCallsInFlight = 4096;

    /// <summary>Where a silo's frame limit is set (both its ends: the listener and its routers' connections).</summary>
    public const string SiloFrameSetting = "Serve:Silo:ExchangeMaxFrameBytes";

    /// <summary>Where an external client's frame limit is set.</summary>
    public const string ClientFrameSetting = "Serve:Cluster:ExchangeMaxFrameBytes";

    /// <summary>
    /// How long a router's connection waits for any sign of life from its silo after a ping before it is declared
    /// unresponsive (<see cref="ExchangeLiveness"/>): well above a long GC pause (a second or two on a large heap), well
    /// below a declaration of death by the cluster's membership (about 8.5 s with the fast liveness profile, 13–17 s by
    /// default).
    /// </summary>
    public static readonly TimeSpan DefaultPingTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The shortest ping timeout: under it, an ordinary pause of a busy silo would close its connections.</summary>
    public static readonly TimeSpan MinPingTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The longest ping timeout: past it, a frozen silo's calls wait about as long as without a ping.</summary>
    public static readonly TimeSpan MaxPingTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Where a silo's ping timeout is set (its routers' connections).</summary>
    public const string SiloPingSetting = "Serve:Silo:ExchangePingTimeout";

    /// <summary>Where an external client's ping timeout is set.</summary>
    public const string ClientPingSetting = "Serve:Cluster:ExchangePingTimeout";

    /// <summary>How long a ping waits for its silo's sign of life before the connection is declared unresponsive.</summary>
    public TimeSpan PingTimeout { get; init; } = DefaultPingTimeout;

    /// <summary>The setting <see cref="PingTimeout"/> came from, named by the warning of an unresponsive connection.</summary>
    public string PingSetting { get; init; } = SiloPingSetting;

    /// <summary>What is wrong with <paramref name="timeout"/> as a ping timeout (the value and the fix); null when nothing is.</summary>
    public static string? PingTimeoutProblem(TimeSpan timeout) =>
        timeout < MinPingTimeout || timeout > MaxPingTimeout
            ? $"{timeout} is out of range. Fix: from {MinPingTimeout} (under it a busy silo's pauses would close its connections) to {MaxPingTimeout}; the default is {DefaultPingTimeout}."
            : null;

    public static ExchangeLimits Default { get; } = new(DefaultMaxFrameBytes, DefaultMaxCallsInFlight);

    /// <summary>The byte a preface names <paramref name="setting"/> by (<see cref="ExchangeFrames.WritePreface"/>): 1 for a client's, 0 otherwise.</summary>
    public static byte CodeOf(string setting) => setting == ClientFrameSetting ? (byte)1 : (byte)0;

    /// <summary>The setting a preface's code names; a code this process does not know names a silo's.</summary>
    public static string SettingOf(byte code) => code == 1 ? ClientFrameSetting : SiloFrameSetting;
}
