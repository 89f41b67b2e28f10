using System.Net;
using System.Net.Http.Json;

namespace Serve.Tests.Cluster;

/// <summary>Names an HTTP call's failure for a <see cref="CallLedger"/>: an answer's status, or how the connection failed.</summary>
public static class HttpFailures
{
    /// <summary>The kind of a request that got no answer because the connection broke (or never opened).</summary>
    public const string NoAnswerPrefix = "no answer: ";

    public static string Kind(Exception error) => error switch
    {
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status} {status}",
        HttpRequestException e => NoAnswerPrefix + e.HttpRequestError,
        TaskCanceledException => "client timeout",
        // The connection broke while the answer was read (HttpIOException), or below HttpClient's own wrapping (seen:
        // a bare "Transport endpoint is not connected" as a gateway was killed): no answer either.
        IOException or System.Net.Sockets.SocketException => NoAnswerPrefix + error.GetType().Name,
        _ => error.GetType().Name,
    };

    /// <summary>Whether <paramref name="kind"/> names a request that got no answer at all.</summary>
    public static bool IsNoAnswer(string kind) => kind.StartsWith(NoAnswerPrefix, StringComparison.Ordinal);

    /// <summary>A GET that fails unless the gateway answers 200 with a <see cref="WorkloadReply"/>.</summary>
    public static async Task<WorkloadReply> GetReplyAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        }
        return (await response.Content.ReadFromJsonAsync<WorkloadReply>())!;
    }
}
