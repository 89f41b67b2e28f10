namespace Serve.Grains;

/// <summary>
/// What a caller needs to rebuild a <see cref="MessageTooLargeException"/> whole (its size, limit and setting, not only
/// its message): a faulted answer's <see cref="ReplicaResponse.Value"/> carries it. A caller of an older release ignores it.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.oversized-message")]
internal sealed record OversizedMessage([property: Id(0)] long Size, [property: Id(1)] int Limit, [property: Id(2)] string Setting)
{
    /// <summary>The exception again, its message as the replica's process wrote it.</summary>
    public MessageTooLargeException ToException() => new(Size, Limit, Setting);
}
