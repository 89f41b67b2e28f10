namespace Serve;

/// <summary>
/// A call or its answer is larger than the data plane between two processes carries in one message: its arguments, or
/// its result (with an HTTP exchange's inline body), serialized. Nothing was sent; the call did not run when its
/// arguments were too large, and ran but could not answer when its result was. The message names the setting that
/// bounds it (<c>Serve:Silo:ExchangeMaxFrameBytes</c> on a silo, <c>Serve:Cluster:ExchangeMaxFrameBytes</c> on an
/// external client): send less at once (a stream of parts), or raise it on every silo and client alike.
/// </summary>
[GenerateSerializer, Alias("serve.message-too-large-exception")]
public sealed class MessageTooLargeException : ServeException
{
    /// <summary>Creates the exception for a message of <paramref name="size"/> bytes over <paramref name="limit"/>, set by <paramref name="setting"/>.</summary>
    public MessageTooLargeException(long size, int limit, string setting)
        : base($"A message of {size} bytes between processes is over the data plane's limit of {limit} bytes ({setting}). "
            + $"Fix: send less in one call (stream it in parts), or raise {setting} on every silo and client.")
    {
        Size = size;
        Limit = limit;
        Setting = setting;
    }

    /// <summary>Creates the exception with a message already written (as a caller receives it from the replica's process).</summary>
    public MessageTooLargeException(string message) : base(message)
    {
        Setting = "";
    }

    /// <summary>The message's size in bytes, framing included; 0 when not known here.</summary>
    [Id(0)] public long Size { get; }

    /// <summary>The limit it is over, in bytes; 0 when not known here.</summary>
    [Id(1)] public int Limit { get; }

    /// <summary>The setting that bounds it, e.g. <c>Serve:Silo:ExchangeMaxFrameBytes</c>; empty when not known here.</summary>
    [Id(2)] public string Setting { get; }
}
