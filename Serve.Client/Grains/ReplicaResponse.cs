namespace Serve.Grains;

/// <summary>A replica's answer to one call.</summary>
[GenerateSerializer, Immutable, Alias("serve.replica-response")]
internal sealed class ReplicaResponse
{
    public static readonly ReplicaResponse Full = new() { Outcome = ReplicaOutcome.RejectedFull };
    public static readonly ReplicaResponse Gone = new() { Outcome = ReplicaOutcome.RejectedGone };

    [Id(0)] public ReplicaOutcome Outcome { get; init; }
    [Id(1)] public object? Value { get; init; }
    [Id(2)] public string? ExceptionType { get; init; }
    [Id(3)] public string? Message { get; init; }
    [Id(4)] public string? StackTrace { get; init; }

    /// <summary>
    /// An HTTP exchange's answer (<see cref="IReplicaGrain.HttpAsync"/>). Typed, where <see cref="Value"/> is not, so it
    /// travels without its type's name: an exchange's answer is always this type, a method's value any.
    /// </summary>
    [Id(5)] public Http.HttpResponseData? Http { get; init; }

    public bool IsRejected => Outcome >= ReplicaOutcome.RejectedFull;

    /// <summary>A completed call that returned nothing (or null): one shared instance, no allocation.</summary>
    public static readonly ReplicaResponse CompletedEmpty = new() { Outcome = ReplicaOutcome.Completed };

    public static ReplicaResponse Completed(object? value) => value is null ? CompletedEmpty : new() { Outcome = ReplicaOutcome.Completed, Value = value };

    public static ReplicaResponse Answered(Http.HttpResponseData answer) => new() { Outcome = ReplicaOutcome.Completed, Http = answer };

    /// <summary>The call's deadline passed while the replica ran it, and its user code stopped on the cancellation.</summary>
    public static readonly ReplicaResponse TimedOut = new()
    {
        Outcome = ReplicaOutcome.Faulted,
        ExceptionType = typeof(RequestTimeoutException).FullName,
        Message = "The request's deadline passed on the replica.",
    };

    /// <summary>
    /// The user's code threw: what its caller learns of it (<see cref="ReplicaFault"/>). A <see cref="MessageTooLargeException"/>
    /// carries its size, limit and setting too (<see cref="OversizedMessage"/>, as <see cref="Value"/>).
    /// </summary>
    public static ReplicaResponse Faulted(Exception exception) => new()
    {
        Outcome = ReplicaOutcome.Faulted,
        Value = exception is MessageTooLargeException { Setting.Length: > 0 } tooLarge ? new OversizedMessage(tooLarge.Size, tooLarge.Limit, tooLarge.Setting) : null,
        ExceptionType = ReplicaFault.TypeOf(exception),
        Message = ReplicaFault.MessageOf(exception),
        StackTrace = ReplicaFault.DetailsOf(exception),
    };
}
