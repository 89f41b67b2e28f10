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

    public static ExchangeLimits Default { get; } = new(DefaultMaxFrameBytes, DefaultMaxCallsInFlight);

    /// <summary>The byte a preface names <paramref name="setting"/> by (<see cref="ExchangeFrames.WritePreface"/>): 1 for a client's, 0 otherwise.</summary>
    public static byte CodeOf(string setting) => setting == ClientFrameSetting ? (byte)1 : (byte)0;

    /// <summary>The setting a preface's code names; a code this process does not know names a silo's.</summary>
    public static string SettingOf(byte code) => code == 1 ? ClientFrameSetting : SiloFrameSetting;
}
