using System.Text;

namespace Serve.Http;

/// <summary>
/// What a WebSocket close may carry (RFC 6455 §5.5, §7.4), as .NET's own WebSocket checks it: a status of 1000 or more
/// but 1006 and 1015 (which never travel), none (1005, Empty) only without a description, and a description of at most
/// 123 UTF-8 bytes (a control frame's 125, less the status). The replica's WebSocket refuses what breaks it where the
/// handler closes, as Kestrel's does; the gateway refuses it from a peer that did not check.
/// </summary>
internal static class WebSocketCloseRule
{
    /// <summary>The longest description a close carries, in UTF-8 bytes.</summary>
    public const int MaxDescriptionBytes = 123;

    /// <summary>Why a close with <paramref name="status"/> and <paramref name="description"/> cannot be sent; null when it can.</summary>
    public static string? Refusal(int status, string? description)
    {
        if (status == 1005 && !string.IsNullOrEmpty(description))
        {
            return "a close without a status (Empty, 1005) carries no description";
        }
        if (status is < 1000 or 1006 or 1015 or > ushort.MaxValue)
        {
            return $"{status} is not a close status that can be sent (1000 to 65535, but 1005 with a description, 1006 and 1015)";
        }
        var bytes = string.IsNullOrEmpty(description) ? 0 : Encoding.UTF8.GetByteCount(description);
        return bytes > MaxDescriptionBytes
            ? $"a close's description takes at most {MaxDescriptionBytes} UTF-8 bytes, and this one has {bytes}"
            : null;
    }
}
