namespace Serve.Diagnostics;

/// <summary>
/// What a client sent, as the gateway quotes it back in a log line or an error answer (a method, a path, a header,
/// gRPC metadata): cut at <see cref="MaxLength"/> characters. Only header limits bounded these before, so an access
/// line or a 404 grew with whatever a stranger put in them, and over HTTP/2 a long path the client's header table holds
/// costs it a byte or two per request (2,000 requests for an 8,000-character path wrote 15.5 MB of access log).
/// </summary>
internal static class EchoedInput
{
    /// <summary>The most characters of one value quoted back.</summary>
    public const int MaxLength = 300;

    /// <summary>
    /// <paramref name="value"/>, or its first <see cref="MaxLength"/> characters and an ellipsis (never half a surrogate
    /// pair); empty for null.
    /// </summary>
    public static string Cut(string? value)
    {
        if (value is null || value.Length <= MaxLength)
        {
            return value ?? "";
        }
        var keep = char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Concat(value.AsSpan(0, keep), "…");
    }
}
