using Serve.Configuration;
using Serve.Grains;

namespace Serve.Admin;

/// <summary>Joins the controller's status with the stored specs into the admin API's details.</summary>
internal static class AdminStatus
{
    /// <summary>
    /// The details of <paramref name="view"/>. An application whose status and spec are the very objects
    /// <paramref name="previous"/> was built from keeps its details (the controller replaces an application's status
    /// only when it changes), so a change to one application among thousands rebuilds one.
    /// </summary>
    public static AdminView Build(StatusView view, HttpOptionsDetails http, AdminView? previous)
    {
        var specs = view.Applications.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var built = view.Status.Applications.Values
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a =>
            {
                var spec = specs.GetValueOrDefault(a.Name);
                return previous?.Built.GetValueOrDefault(a.Name) is { } known && ReferenceEquals(known.Status, a) && ReferenceEquals(known.Spec, spec)
                    ? known
                    : Build(a, spec);
            })
            .ToDictionary(b => b.Status.Name, StringComparer.Ordinal);
        return new AdminView(view.Version, http, built);
    }

    /// <summary>One application's details, from its status and the spec it was published with.</summary>
    public static BuiltApplication Build(ApplicationStatus app, ApplicationSpec? spec) => new(app, spec, Details(app, spec));

    private static ApplicationDetails Details(ApplicationStatus app, ApplicationSpec? spec) => new()
    {
        Name = app.Name,
        Status = app.State,
        Message = app.Message,
        RoutePrefix = app.RoutePrefix,
        IngressDeployment = app.IngressDeployment,
        DeployedAppConfig = spec?.Config is { } config ? AdminJson.Parse(config) : null,
        Deployments = app.Deployments.Values
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToDictionary(d => d.Name, d => Details(d, spec?.Deployments.FirstOrDefault(s => s.Name == d.Name))),
    };

    private static DeploymentDetails Details(DeploymentStatus deployment, DeploymentSpec? spec) => new()
    {
        Name = deployment.Name,
        Status = deployment.State,
        Message = deployment.Message,
        TargetReplicas = deployment.TargetReplicas,
        RunningReplicas = deployment.RunningReplicas,
        PreviousVersionReplicas = deployment.PreviousVersionReplicas,
        ScalingDecision = deployment.ScalingDecision,
        RecentScalingDecisions = deployment.RecentScalingDecisions,
        DeploymentConfig = spec is null ? null : AdminJson.Parse(ConfigJson.Write(ServeConfigWriter.Describe(spec.Options))),
        Build = spec?.Build,
        Replicas = deployment.Replicas.Select(r => new ReplicaDetails(r.ReplicaId, r.State, r.Silo, r.Models.Count == 0 ? null : r.Models, r.Build)).ToArray(),
    };
}
