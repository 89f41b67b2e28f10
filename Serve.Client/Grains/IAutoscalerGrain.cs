using Orleans.Concurrency;

namespace Serve.Grains;

/// <summary>
/// One deployment's autoscaler: load reports in, the deployment's target replica count out. Reports
/// are one-way and periodic (never per request), and go to this grain, not to the controller.
/// Key: <c>app/deployment</c>.
/// </summary>
[Alias("serve.autoscaler")]
internal interface IAutoscalerGrain : IGrainWithStringKey
{
    /// <summary>Starts (or reconfigures) scaling with <paramref name="config"/> from <paramref name="currentTarget"/>; null stops it.</summary>
    [Alias("configure")]
    Task ConfigureAsync(AutoscalingConfig? config, int currentTarget);

    /// <summary>
    /// One caller's load: requests queued in its router plus requests it has in flight.
    /// <paramref name="waitingForReplica"/> says requests wait with no replica to take them (scale from zero now).
    /// </summary>
    [OneWay, Alias("report-caller")]
    Task ReportCallerLoadAsync(string callerId, double ongoing, bool waitingForReplica);

    /// <summary>One replica's own count of requests in flight.</summary>
    [OneWay, Alias("report-replica")]
    Task ReportReplicaLoadAsync(string replicaId, int inFlight);
}
