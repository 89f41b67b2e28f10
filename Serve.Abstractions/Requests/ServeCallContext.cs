using Serve.Multiplexing;

namespace Serve.Routing;

/// <summary>
/// The request a replica is serving, so that calls it makes through handles inherit its request id
/// and never outlive its deadline, and its code can ask for the request's multiplexed model.
/// </summary>
internal sealed class ServeCallContext
{
    private static readonly AsyncLocal<ServeCallContext?> CurrentContext = new();

    public ServeCallContext(string requestId, long deadlineUtcTicks, string? modelId = null)
    {
        RequestId = requestId;
        DeadlineUtcTicks = deadlineUtcTicks;
        ModelId = modelId;
    }

    public static ServeCallContext? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }

    public string RequestId { get; }

    /// <summary>UTC ticks after which the request is abandoned; 0 is none.</summary>
    public long DeadlineUtcTicks { get; }

    /// <summary>The multiplexed model the caller asked for; null when none.</summary>
    public string? ModelId { get; }

    /// <summary>The trace id of the replica's span of the call, when it has one; null otherwise.</summary>
    public string? TraceId { get; init; }

    /// <summary>The caller's W3C <c>traceparent</c>, when it traced and the replica does not: its trace id is read only if a line is logged.</summary>
    public string? CallerTraceParent { get; init; }

    /// <summary>
    /// The log scope of the call (its request id and trace id), made by the silo's scope provider when the first line that
    /// shows scopes is written during the call, and kept for the next.
    /// </summary>
    public object? LogScope { get; set; }

    private ModelLeases? _models;

    /// <summary>The models this request uses, made on first use; released when the request ends.</summary>
    public ModelLeases Models => _models ?? Interlocked.CompareExchange(ref _models, new ModelLeases(), null) ?? _models!;

    /// <summary>The request ended: the models it used may be evicted again.</summary>
    public void ReleaseModels() => Volatile.Read(ref _models)?.ReleaseAll();
}
