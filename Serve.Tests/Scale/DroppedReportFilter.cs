using Serve.Grains;

namespace Serve.Tests.Scale;

/// <summary>
/// Drops the status reports of application <see cref="Application"/> on their way to the controller while <see cref="Armed"/>:
/// only the reconcile pass's answers then tell the controller how its deployments are.
/// </summary>
internal sealed class DroppedReportFilter : IIncomingGrainCallFilter
{
    public const string Application = "unreported";

    public static volatile bool Armed;

    public Task Invoke(IIncomingGrainCallContext context) =>
        Armed && context.InterfaceMethod?.Name == nameof(IControllerGrain.ReportDeploymentStatusAsync) && context.Request.GetArgument(0) is Application
            ? Task.CompletedTask
            : context.Invoke();
}
