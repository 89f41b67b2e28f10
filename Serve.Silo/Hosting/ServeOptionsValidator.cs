using Microsoft.Extensions.Options;

namespace Serve.Hosting;

/// <summary>Reports every invalid <see cref="ServeOptions"/> value at once, at silo start.</summary>
internal sealed class ServeOptionsValidator : IValidateOptions<ServeOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeOptions options)
    {
        var errors = new List<string>();
        if (options.LongPollTimeout <= TimeSpan.Zero || options.LongPollTimeout >= TimeSpan.FromSeconds(30))
        {
            errors.Add($"ServeOptions.LongPollTimeout: {options.LongPollTimeout} must be positive and under Orleans' 30 s response timeout.");
        }
        if (options.ControllerReconcilePeriod <= TimeSpan.Zero)
        {
            errors.Add($"ServeOptions.ControllerReconcilePeriod: {options.ControllerReconcilePeriod} must be positive.");
        }
        if (options.StopGrace < TimeSpan.Zero)
        {
            errors.Add($"ServeOptions.StopGrace: {options.StopGrace} must not be negative.");
        }
        foreach (var assembly in options.DeploymentAssemblies.Where(a => a is null || Serve.Replicas.PlatformAssemblies.Contains(a)))
        {
            errors.Add($"ServeOptions.DeploymentAssemblies: '{assembly?.GetName().Name}' {(assembly is null ? "is null" : "is part of the platform (.NET, ASP.NET Core, Orleans or Serve)")} and cannot hold deployments. Fix: register the assemblies holding your deployment classes.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
