namespace Serve.Routing;

/// <summary>
/// The request a replica is serving, so that calls it makes through handles inherit its request id
/// and never outlive its deadline.
/// </summary>
internal sealed class ServeCallContext
{
    private static readonly AsyncLocal<ServeCallContext?> CurrentContext = new();

    public ServeCallContext(string requestId, long deadlineUtcTicks)
    {
        RequestId = requestId;
        DeadlineUtcTicks = deadlineUtcTicks;
    }

    public static ServeCallContext? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }

    public string RequestId { get; }

    /// <summary>UTC ticks after which the request is abandoned; 0 is none.</summary>
    public long DeadlineUtcTicks { get; }
}
