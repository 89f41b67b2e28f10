using Serve.Grains;

namespace Serve.Tests.Gateway;

/// <summary>
/// Holds back each answer to this silo's route table polls by the lag given before its gateway takes it in, as a gateway
/// on a busy or distant silo takes a new table in late.
/// </summary>
internal sealed class LateRoutesFilter(TimeSpan lag) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.Name == nameof(IControllerGrain.WatchRoutesAsync))
        {
            await Task.Delay(lag);
        }
    }
}
