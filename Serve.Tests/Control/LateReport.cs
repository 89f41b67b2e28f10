namespace Serve.Tests.Control;

/// <summary>One report <see cref="LateReportFilter"/> holds: whether it holds one, when it may go on, and when it was folded.</summary>
internal sealed class LateReport
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    public bool Held => Volatile.Read(ref _held) == 1;

    public Task Released => _released.Task;

    /// <summary>Completes once the held report reached the controller's method.</summary>
    public Task Delivered => _delivered.Task;

    /// <summary>True for the first report only.</summary>
    public bool TryHold() => Interlocked.CompareExchange(ref _held, 1, 0) == 0;

    public void Release() => _released.TrySetResult();

    public void MarkDelivered() => _delivered.TrySetResult();
}
