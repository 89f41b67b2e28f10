namespace Serve.Exchange;

/// <summary>
/// A data-plane connection to a replica's silo ended before the call's answer came. <see cref="MayHaveArrived"/>: the
/// call was queued on the connection, so the replica may have run it (a loss, as a silo's death is for an Orleans call);
/// otherwise it never left this process and may go elsewhere (<see cref="Routing.RetryPolicy"/>).
/// </summary>
internal sealed class ExchangeLostException(string endpoint, bool mayHaveArrived, Exception? cause)
    : Exception($"The data-plane connection to {endpoint} ended {(mayHaveArrived ? "before the call's answer came" : "before the call was sent")}{(cause is null ? "" : $": {cause.Message}")}.", cause)
{
    public bool MayHaveArrived { get; } = mayHaveArrived;
}
