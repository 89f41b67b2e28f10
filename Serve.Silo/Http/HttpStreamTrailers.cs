using System.Text;

namespace Serve.Http;

/// <summary>
/// The trailers of a streamed gRPC response, carried on today's stream of body chunks: an empty chunk (no body chunk is
/// empty) says the next and last item is the trailers, as name NUL value NUL ... in UTF-8 (header text has no NUL).
/// Only gRPC responses carry them, and only the gateway's gRPC path reads them.
/// </summary>
// grpc: stands in until the HTTP exchange carries trailers at the end of a streamed response (helper "exchange").
internal static class HttpStreamTrailers
{
    public static bool IsMarker(byte[] chunk) => chunk.Length == 0;

    public static byte[] Encode(string[] flat) => Encoding.UTF8.GetBytes(string.Join('\0', flat));

    public static string[] Decode(byte[] bytes) => bytes.Length == 0 ? [] : Encoding.UTF8.GetString(bytes).Split('\0');
}
