namespace Serve.Deployments;

/// <summary>The autoscaler's recent decisions, for the dashboard and the status API: a small ring in memory, not stored.</summary>
internal sealed partial class DeploymentReconciler
{
    /// <summary>How many recent decisions the status carries.</summary>
    internal const int ScalingHistoryLength = 10;

    private ScalingEvent[] _scalingHistory = [];

    /// <summary>The autoscaler's recent decisions, oldest first.</summary>
    public IReadOnlyList<ScalingEvent> RecentScalingDecisions => _scalingHistory;

    /// <summary>A new array each time: statuses already reported keep the history they had.</summary>
    private void RecordScaling(int from, int to, string reason)
    {
        var kept = Math.Min(_scalingHistory.Length, ScalingHistoryLength - 1);
        var next = new ScalingEvent[kept + 1];
        Array.Copy(_scalingHistory, _scalingHistory.Length - kept, next, 0, kept);
        next[kept] = new ScalingEvent { At = _time.GetUtcNow(), FromReplicas = from, ToReplicas = to, Reason = reason };
        _scalingHistory = next;
    }
}
