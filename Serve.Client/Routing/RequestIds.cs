namespace Serve.Routing;

/// <summary>
/// Ids for requests that arrive without one: random version-4 GUIDs in the "N" format (32 hex digits),
/// drawn from <see cref="Random.Shared"/>. <see cref="Guid.NewGuid"/> asks the OS for secure random
/// bytes, a system call that costs about 1 µs here, a fifth of a whole handle call; a request id
/// needs to be unique, not unpredictable.
/// </summary>
internal static class RequestIds
{
    public static string Next() => string.Create(32, 0, static (chars, _) =>
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        new Guid(bytes).TryFormat(chars, out _, "N");
    });
}
