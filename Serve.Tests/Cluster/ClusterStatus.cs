namespace Serve.Tests.Cluster;

/// <summary>Polls status with a deadline, riding out the errors a changing cluster gives meanwhile.</summary>
public static class ClusterStatus
{
    public static async Task<ServeStatus> WaitForStatusAsync(this IServeClient serve, Func<ServeStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (true)
        {
            try
            {
                using var call = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var status = await serve.GetStatusAsync(call.Token);
                if (condition(status))
                {
                    return status;
                }
                last = System.Text.Json.JsonSerializer.Serialize(status);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Status never met the condition within {timeout}. Last: {last}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The deployment's replicas are exactly its target, all RUNNING, all on <paramref name="silos"/>, and it is HEALTHY.</summary>
    public static bool IsHealthyOn(this ServeStatus status, string application, string deployment, int replicas, IReadOnlyCollection<string> silos) =>
        status.Applications.TryGetValue(application, out var app)
        && app.State == ApplicationState.Running
        && app.Deployments.TryGetValue(deployment, out var d)
        && d.State == DeploymentState.Healthy
        && d.Replicas.Count == replicas
        && d.Replicas.All(r => r.State == ReplicaState.Running && r.Silo is not null && silos.Contains(r.Silo));
}
