using System.Collections;

namespace Serve.Diagnostics;

/// <summary>
/// The log scope of one request, on every line logged while serving it (the user's loggers included, as they share
/// the silo's logger factory): <c>ServeRequestId</c>, and <c>TraceId</c> when the request is traced or came with a
/// W3C <c>traceparent</c>.
/// </summary>
internal sealed class ServeLogScope(string requestId, string? traceId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string RequestIdKey = "ServeRequestId";
    public const string TraceIdKey = "TraceId";

    public int Count => traceId is null ? 1 : 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(RequestIdKey, requestId),
        1 when traceId is not null => new(TraceIdKey, traceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => traceId is null ? $"{RequestIdKey}:{requestId}" : $"{RequestIdKey}:{requestId} {TraceIdKey}:{traceId}";
}
