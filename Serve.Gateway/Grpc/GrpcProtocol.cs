using System.Globalization;
using System.Text;

namespace Serve.Grpc;

/// <summary>The few pieces of the gRPC-over-HTTP/2 protocol the gateway reads and writes itself.</summary>
internal static class GrpcProtocol
{
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string RetryPushbackHeader = "grpc-retry-pushback-ms";
    public const string ContentType = "application/grpc";

    /// <summary>Ray's metadata key naming the application a call is for.</summary>
    public const string ApplicationKey = "application";

    /// <summary>Ray's metadata key carrying the call's request id.</summary>
    public const string RequestIdKey = "request_id";

    /// <summary>Ray's metadata key naming the multiplexed model a call is for.</summary>
    public const string MultiplexedModelIdKey = "multiplexed_model_id";

    /// <summary>The service of a call's path, <c>/package.Service/Method</c>; null when the path is not of that form.</summary>
    public static string? ServiceOf(string? path)
    {
        if (path is not { Length: > 1 } || path[0] != '/')
        {
            return null;
        }
        var slash = path.IndexOf('/', 1);
        return slash <= 1 || slash == path.Length - 1 || path.IndexOf('/', slash + 1) >= 0 ? null : path[1..slash];
    }

    /// <summary>Reads <c>grpc-timeout</c>: at most 8 digits and a unit (H, M, S, m, u, n).</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is not { Length: >= 2 and <= 9 } || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }
        long? ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            'n' => amount / 100,
            _ => null,
        };
        if (ticks is not { } t)
        {
            return false;
        }
        timeout = TimeSpan.FromTicks(t);
        return true;
    }

    /// <summary>Writes a timeout as <c>grpc-timeout</c> does, in the finest unit whose amount fits in 8 digits.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        const long MaxAmount = 99_999_999;
        if (ticks / TimeSpan.TicksPerMicrosecond <= MaxAmount)
        {
            return (ticks / TimeSpan.TicksPerMicrosecond).ToString(CultureInfo.InvariantCulture) + "u";
        }
        if (ticks / TimeSpan.TicksPerMillisecond <= MaxAmount)
        {
            return (ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture) + "m";
        }
        if (ticks / TimeSpan.TicksPerSecond <= MaxAmount)
        {
            return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "S";
        }
        return Math.Min(MaxAmount, ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary><c>grpc-message</c>'s percent-encoding: UTF-8 bytes outside printable ASCII, and '%', as %XX.</summary>
    public static string EncodeMessage(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }
}
