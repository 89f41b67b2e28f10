using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Control;

/// <summary>The controller's declarative side: a whole config applied at once (<c>serve deploy</c>, <c>PUT /api/serve/applications</c>).</summary>
internal sealed partial class ControllerGrain
{
    public async Task<ConfigApplyResult> ApplyConfigAsync(IReadOnlyList<ApplicationSpec> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var errors = Check(applications);
        if (errors.Count > 0)
        {
            throw new InvalidConfigException(errors);
        }

        var plan = ConfigApplyPlan.Of(applications, Applications, _deleting);
        var changed = plan.Changed;
        // Every listed change is stored in one write, so a controller restarted halfway finds the config whole.
        var unmarks = new List<Action>();
        foreach (var (spec, previous) in changed)
        {
            Applications[spec.Name] = spec;
            unmarks.Add(MarkDropped(spec, previous));
        }
        // What a reconcile pass must leave alone meanwhile: the changed applications and those retried below.
        var applying = changed.Select(c => c.Spec.Name)
            .Concat(plan.Unchanged.Where(name => _statuses.GetValueOrDefault(name)?.State == ApplicationState.DeployFailed))
            .Where(_applying.Add)
            .ToArray();
        try
        {
            return await ApplyChangesAsync(plan, unmarks);
        }
        finally
        {
            _applying.ExceptWith(applying);
        }
    }

    private async Task<ConfigApplyResult> ApplyChangesAsync(ConfigApplyPlan plan, List<Action> unmarks)
    {
        var changed = plan.Changed;
        if (changed.Count > 0)
        {
            await StoreAsync("the config's applications", () =>
            {
                foreach (var (spec, previous) in changed)
                {
                    Restore(spec.Name, previous);
                }
                unmarks.ForEach(unmark => unmark());
            });
        }
        foreach (var (spec, previous) in changed)
        {
            LogDeployed(_logger, spec.Name, spec.Deployments.Count, spec.RoutePrefix ?? "(none)");
            LogWarnings(spec);
            _statuses[spec.Name] = InitialStatus(spec, _statuses.GetValueOrDefault(spec.Name), previous);
        }
        foreach (var name in plan.Deleted)
        {
            await DeleteApplicationAsync(name);
        }
        Publish();
        LogConfigApplied(_logger, plan.Created.Count, plan.Updated.Count, plan.Unchanged.Count, plan.Deleted.Count, plan.Kept.Count);

        // An unchanged application that failed gets another try, as running the same config again does in Ray.
        var retried = plan.Unchanged.Where(name => _statuses.GetValueOrDefault(name)?.State == ApplicationState.DeployFailed).ToList();
        await Task.WhenAll(changed.Concat(retried.Select(name => (Spec: Applications[name], Previous: (ApplicationSpec?)Applications[name])))
            .Select(c => ApplyToDeploymentsAsync(c.Spec, c.Previous)));
        // The table that routes to what this config deployed, and not to what it deleted: a caller waiting for the gateways
        // waits for this one, not for whatever others publish meanwhile.
        return new ConfigApplyResult
        {
            Created = plan.Created, Updated = plan.Updated, Unchanged = plan.Unchanged, Deleted = plan.Deleted, Kept = plan.Kept, Retried = retried,
            RouteVersion = _routes.Version,
        };
    }

    public Task<IReadOnlyList<ApplicationSpec>> GetApplicationsAsync() =>
        Task.FromResult<IReadOnlyList<ApplicationSpec>>(Applications.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToArray());

    /// <summary>Every reason the applications cannot all be applied; the config's own checks ran before, these hold whatever the caller.</summary>
    private List<string> Check(IReadOnlyList<ApplicationSpec> applications)
    {
        var errors = new List<string>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < applications.Count; i++)
        {
            var spec = applications[i];
            if (!ServeName.IsValid(spec.Name))
            {
                errors.Add($"applications[{i}].name: '{ServeName.Shown(spec.Name)}' {ServeName.Requirement}.");
            }
            else if (!names.TryAdd(spec.Name, i))
            {
                errors.Add($"applications[{i}].name: '{spec.Name}' is also the name of applications[{names[spec.Name]}]; application names must be unique.");
            }
            if (spec.RoutePrefix is { } prefix && !prefixes.TryAdd(prefix, i))
            {
                errors.Add($"applications[{i}].route_prefix: '{prefix}' is also the route_prefix of applications[{prefixes[prefix]}]; each route prefix is served by one application.");
            }
            if (_deleting.Contains(spec.Name))
            {
                errors.Add($"applications[{i}].name: application '{spec.Name}' is still being deleted. Fix: wait until it is gone (serve status), then apply the config again.");
            }
        }
        return errors;
    }

    [LoggerMessage(EventId = ServeEvents.ConfigApplied, Level = LogLevel.Information, Message = "Config applied: {Created} application(s) created, {Updated} updated, {Unchanged} unchanged, {Deleted} deleted, {Kept} run from code left running")]
    private static partial void LogConfigApplied(ILogger logger, int created, int updated, int unchanged, int deleted, int kept);
}
