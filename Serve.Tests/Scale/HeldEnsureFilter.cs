using Serve.Tests.Infrastructure;

namespace Serve.Tests.Scale;

/// <summary>
/// Holds the controller's reconcile calls (<c>EnsureAsync</c>) to the deployments of application <see cref="Application"/>
/// at <see cref="Hold"/> while it is set and closed: a deployment slow to answer, as one on a silo that just died is.
/// </summary>
internal sealed class HeldEnsureFilter : IIncomingGrainCallFilter
{
    public const string Application = "held";

    /// <summary>The gate held calls wait at; null lets every call through.</summary>
    public static volatile Gate? Hold;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == "EnsureAsync"
            && context.TargetId.Key.ToString()!.StartsWith($"{Application}/", StringComparison.Ordinal)
            && Hold is { } gate)
        {
            await gate.PassAsync(CancellationToken.None);
        }
        await context.Invoke();
    }
}
