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
        // Builds are shown only where a deployment's replicas run another build than it was deployed with.
        var mixed = shown.SelectMany(a => a.Deployments.Values.Where(d => OtherBuild(d).Any()).Select(d => (App: a.Name, Deployment: d))).ToList();
        var replicas = new TextTable(["REPLICA", "STATE", "SILO", .. withModels ? ["MODELS"] : Array.Empty<string>(), .. mixed.Count > 0 ? ["BUILD"] : Array.Empty<string>()]);
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
                    replicas.Add([
                        replica.ReplicaId, Name(replica.State), replica.Silo ?? "-",
                        .. withModels ? [replica.Models is { Count: > 0 } models ? string.Join(",", models) : "-"] : Array.Empty<string>(),
                        .. mixed.Count > 0 ? [BuildCell(deployment, replica)] : Array.Empty<string>()]);
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
        if (mixed.Count > 0)
        {
            text.AppendLine();
        }
        foreach (var (app, deployment) in mixed)
        {
            var other = OtherBuild(deployment).ToList();
            var builds = other.GroupBy(r => Short(r.Build!), StringComparer.Ordinal)
                .Select(g => $"build {g.Key} on {string.Join(", ", g.Select(r => r.Silo ?? "-").Distinct(StringComparer.Ordinal))}");
            text.AppendLine(TerminalText.Printable(
                $"Warning: {app}/{deployment.Name} was deployed with build {Short(deployment.Build!)}, but {other.Count} of its {deployment.Replicas.Count} replica(s) "
                + $"run another: {string.Join("; ", builds)}. Give every gateway and worker the same build (Serve:Assemblies), then deploy again "
                + "(serve deploy) through a gateway that has it."));
        }
        return text.ToString();
    }

    /// <summary>The replicas of <paramref name="deployment"/> that report a build other than the one it was deployed with.</summary>
    private static IEnumerable<ReplicaDetails> OtherBuild(DeploymentDetails deployment) =>
        deployment.Build is { Length: > 0 } deployed
            ? deployment.Replicas.Where(r => r.Build is { Length: > 0 } build && !string.Equals(build, deployed, StringComparison.OrdinalIgnoreCase))
            : [];

    /// <summary>The replica's build, short, marked <c>*</c> when it is not its deployment's.</summary>
    private static string BuildCell(DeploymentDetails deployment, ReplicaDetails replica) =>
        replica.Build is not { Length: > 0 } build ? "-"
        : OtherBuild(deployment).Contains(replica) ? $"{Short(build)}*"
        : Short(build);

    /// <summary>A build as the log's event 2012 names it: its first 8 hex digits.</summary>
    private static string Short(string build) => build.Length > 8 ? build[..8] : build;

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
