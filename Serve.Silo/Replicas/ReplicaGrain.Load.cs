using Serve.Grains;

namespace Serve.Replicas;

/// <summary>A replica of an autoscaled deployment reports its own in-flight count to the autoscaler, every 250 ms while busy.</summary>
internal sealed partial class ReplicaGrain
{
    private IGrainTimer? _loadTimer;
    private IAutoscalerGrain? _autoscaler;
    private int _lastReportedInFlight = -1;

    private void UpdateLoadReporting(DeploymentSpec spec)
    {
        if (spec.Options.Autoscaling is not null && _loadTimer is null)
        {
            _autoscaler = GrainFactory.GetGrain<IAutoscalerGrain>(spec.Id.Key);
            var period = Serve.Routing.DeploymentRouter.LoadReportPeriod;
            _loadTimer = this.RegisterGrainTimer(ReportLoadAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        }
        else if (spec.Options.Autoscaling is null && _loadTimer is not null)
        {
            _loadTimer.Dispose();
            _loadTimer = null;
        }
    }

    private Task ReportLoadAsync(CancellationToken cancellationToken)
    {
        var inFlight = _admission.InFlight;
        if (inFlight == 0 && _lastReportedInFlight == 0)
        {
            return Task.CompletedTask;
        }
        _lastReportedInFlight = inFlight;
        return _autoscaler!.ReportReplicaLoadAsync(ReplicaId, inFlight);
    }
}
