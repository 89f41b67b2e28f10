using Serve.Grains;

namespace Serve.Tests.Control;

/// <summary>
/// Holds the deletes of one deployment that the silo it is added to sends, until the test releases them, and then fails
/// them without sending them: the controller that sent one is held between storing an update and deleting what it
/// dropped, as long as the test needs to kill its silo there. Deletes sent once released go through.
/// </summary>
internal sealed class HeldDeleteFilter(DeploymentId deployment) : IOutgoingGrainCallFilter
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a delete of the deployment is held.</summary>
    public Task Held => _held.Task;

    public void Release() => _released.TrySetResult();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IDeploymentGrain.DeleteAsync)
            && context.TargetId.Key.ToString() == deployment.Key
            && !_released.Task.IsCompleted)
        {
            _held.TrySetResult();
            await _released.Task;
            throw new OperationCanceledException($"The test held this delete of '{deployment.Key}' until the silo sending it was killed.");
        }
        await context.Invoke();
    }
}
