using System.Text;
using Serve.Admin;

namespace Serve.Cli;

/// <summary>Renders the admin API's status as <c>serve status</c> prints it: applications with their deployments, then replicas.</summary>
internal static class StatusView
{
    /// <summary><paramref name="applications"/> as a table; <paramref name="only"/> the names asked for (none: all), for the message when none was found.</summary>
    public static string Render(IEnumerable<ApplicationDetails> applications, IReadOnlyCollection<string> only)
    {
        var shown = applications.ToList();
        if (shown.Count == 0)
        {
            return only.Count == 0 ? "No applications.\n" : $"No application named {string.Join(" or ", only)}.\n";
        }
        var deployments = new TextTable("APPLICATION", "STATUS", "ROUTE", "DEPLOYMENT", "STATUS", "REPLICAS", "MESSAGE");
        // Models are shown only where a deployment multiplexes.
        var withModels = shown.Any(a => a.Deployments.Values.Any(d => d.Replicas.Any(r => r.Models is { Count: > 0 })));
        var replicas = withModels ? new TextTable("REPLICA", "STATE", "SILO", "MODELS") : new TextTable("REPLICA", "STATE", "SILO");
        foreach (var app in shown)
        {
            var first = true;
            foreach (var deployment in app.Deployments.Values)
            {
                deployments.Add(
                    first ? app.Name : "",
                    first ? Name(app.Status) : "",
                    first ? app.RoutePrefix ?? "-" : "",
                    deployment.Name,
                    Name(deployment.Status),
                    Replicas(deployment.RunningReplicas, deployment.TargetReplicas, deployment.PreviousVersionReplicas),
                    OneLine(deployment.Message.Length > 0 ? deployment.Message : deployment.ScalingDecision ?? (first ? app.Message : "")));
                first = false;
                foreach (var replica in deployment.Replicas)
                {
                    if (withModels)
                    {
                        replicas.Add(replica.ReplicaId, Name(replica.State), replica.Silo ?? "-", replica.Models is { Count: > 0 } models ? string.Join(",", models) : "-");
                    }
                    else
                    {
                        replicas.Add(replica.ReplicaId, Name(replica.State), replica.Silo ?? "-");
                    }
                }
            }
            if (first)
            {
                deployments.Add(app.Name, Name(app.Status), app.RoutePrefix ?? "-", "-", "-", "-", OneLine(app.Message));
            }
        }
        var text = new StringBuilder(deployments.ToString());
        if (replicas.Count > 0)
        {
            text.AppendLine().Append(replicas);
        }
        return text.ToString();
    }

    /// <summary>
    /// Running replicas of the current version over the target, and those of an earlier version still serving (a rollout,
    /// or one that failed): <c>0/2 +2 previous</c>, never a bare <c>0/2</c> while two replicas serve.
    /// </summary>
    public static string Replicas(int running, int target, int previous) =>
        previous > 0 ? $"{running}/{target} +{previous} previous" : $"{running}/{target}";

    /// <summary>A state as Ray spells it (<c>RUNNING</c>, <c>DEPLOY_FAILED</c>), the way the JSON carries it.</summary>
    public static string Name<T>(T state) where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(state).Trim('"');

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
