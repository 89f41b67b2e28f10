using Serve.Configuration;
using Serve.Grains;

namespace Serve.Admin;

/// <summary>Joins the controller's status snapshot with the stored specs into the admin API's details.</summary>
internal static class AdminStatus
{
    public static async Task<IReadOnlyDictionary<string, ApplicationDetails>> ReadAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var controller = grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        var snapshot = controller.GetSnapshotAsync().WaitAsync(cancellationToken);
        var specs = (await controller.GetApplicationsAsync().WaitAsync(cancellationToken)).ToDictionary(s => s.Name);
        var status = (await snapshot).Status;
        return status.Applications.Values
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .ToDictionary(a => a.Name, a => Details(a, specs.GetValueOrDefault(a.Name)));
    }

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
        ScalingDecision = deployment.ScalingDecision,
        RecentScalingDecisions = deployment.RecentScalingDecisions,
        DeploymentConfig = spec is null ? null : AdminJson.Parse(ConfigJson.Write(ServeConfigWriter.Describe(spec.Options))),
        Replicas = deployment.Replicas.Select(r => new ReplicaDetails(r.ReplicaId, r.State, r.Silo, r.Models.Count == 0 ? null : r.Models)).ToArray(),
    };
}
