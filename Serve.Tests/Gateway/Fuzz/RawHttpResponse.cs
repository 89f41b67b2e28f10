using System.Globalization;
using System.Text;

namespace Serve.Tests.Gateway.Fuzz;

/// <summary>One HTTP/1.x response read off a raw socket: just enough parsing to count answers and see their status.</summary>
public sealed record RawHttpResponse(int Status, string Body)
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>
    /// Parses the responses at the start of <paramref name="data"/>, skipping 1xx interim ones; a last response whose
    /// body runs to the end of the connection is taken only when <paramref name="closed"/>. Bytes that are not a
    /// response count as one with status 0.
    /// </summary>
    public static List<RawHttpResponse> ParseAll(ReadOnlySpan<byte> data, bool headRequest, bool closed)
    {
        var responses = new List<RawHttpResponse>();
        while (!data.IsEmpty)
        {
            var headEnd = data.IndexOf(HeadEnd);
            if (headEnd < 0)
            {
                if (closed)
                {
                    responses.Add(new RawHttpResponse(0, Encoding.Latin1.GetString(data)));
                }
                break;
            }
            var head = Encoding.Latin1.GetString(data[..headEnd]).Split("\r\n");
            var statusParts = head[0].Split(' ', 3);
            if (statusParts.Length < 2 || !statusParts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
                || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                responses.Add(new RawHttpResponse(0, head[0]));
                break;
            }
            var rest = data[(headEnd + HeadEnd.Length)..];
            string? Header(string name) => head.Skip(1).Select(h => h.Split(':', 2)).Where(h => h.Length == 2 && h[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h[1].Trim()).FirstOrDefault();
            if (status is >= 100 and < 200)
            {
                data = rest;
                continue;
            }
            int bodyLength;
            if (headRequest || status is 204 or 304)
            {
                bodyLength = 0;
            }
            else if (Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryChunked(rest, out bodyLength, out var decoded))
                {
                    break;
                }
                responses.Add(new RawHttpResponse(status, decoded));
                data = rest[bodyLength..];
                continue;
            }
            else if (Header("Content-Length") is { } length && int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var declared))
            {
                if (rest.Length < declared)
                {
                    break;
                }
                bodyLength = declared;
            }
            else if (closed)
            {
                bodyLength = rest.Length;
            }
            else
            {
                break;
            }
            responses.Add(new RawHttpResponse(status, Encoding.UTF8.GetString(rest[..bodyLength])));
            data = rest[bodyLength..];
        }
        return responses;
    }

    private static bool TryChunked(ReadOnlySpan<byte> data, out int consumed, out string body)
    {
        var text = new StringBuilder();
        consumed = 0;
        body = "";
        while (true)
        {
            var lineEnd = data[consumed..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return false;
            }
            var sizeText = Encoding.ASCII.GetString(data.Slice(consumed, lineEnd)).Split(';')[0];
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                return false;
            }
            consumed += lineEnd + 2;
            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                var end = data[consumed..].IndexOf("\r\n"u8);
                while (end > 0)
                {
                    consumed += end + 2;
                    end = data[consumed..].IndexOf("\r\n"u8);
                }
                if (end < 0)
                {
                    return false;
                }
                consumed += 2;
                body = text.ToString();
                return true;
            }
            if (data.Length < consumed + size + 2)
            {
                return false;
            }
            text.Append(Encoding.UTF8.GetString(data.Slice(consumed, size)));
            consumed += size + 2;
        }
    }
}
