using Serve.Grains;

namespace Serve.Tests.Control;

/// <summary>
/// Delivers a status report of application <see cref="Application"/> to the controller late while <see cref="Armed"/>
/// is set: the first one not HEALTHY is held until the test releases it, and the reports after it go through first — as
/// a report that took the slower of the two connections between two silos arrives.
/// </summary>
internal sealed class LateReportFilter : IIncomingGrainCallFilter
{
    public const string Application = "late-report";

    /// <summary>The report to hold and deliver late; null lets every report through.</summary>
    public static volatile LateReport? Armed;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(IControllerGrain.ReportDeploymentStatusAsync)
            && context.Request.GetArgument(0) is Application
            && context.Request.GetArgument(1) is DeploymentReport { Status.State: not DeploymentState.Healthy }
            && Armed is { } late
            && late.TryHold())
        {
            await late.Released;
            await context.Invoke();
            late.MarkDelivered();
            return;
        }
        await context.Invoke();
    }
}
