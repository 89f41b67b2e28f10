using Microsoft.Extensions.Options;

namespace Serve.Cluster;

/// <summary>Reports every invalid <see cref="ServeSiloOptions"/> value at once, at start.</summary>
internal sealed class ServeSiloOptionsValidator : IValidateOptions<ServeSiloOptions>
{
    private const string Section = ServeSiloOptions.SectionName + ":Resources";

    public ValidateOptionsResult Validate(string? name, ServeSiloOptions options)
    {
        var errors = new List<string>();
        if (options.ExchangePort is < 0 or > 65535)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangePort: {options.ExchangePort} is not a port. Fix: 1-65535, or 0 for one the system picks.");
        }
        if (options.ExchangeMaxFrameBytes is < Exchange.ExchangeLimits.MinFrameBytes)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangeMaxFrameBytes: {options.ExchangeMaxFrameBytes} must be at least {Exchange.ExchangeLimits.MinFrameBytes} bytes.");
        }
        if (options.StreamMaxBufferedBytes < Replicas.StreamBufferLimit.MinBytes)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:StreamMaxBufferedBytes: {options.StreamMaxBufferedBytes} must be at least {Replicas.StreamBufferLimit.MinBytes} bytes (the default is {Replicas.StreamBufferLimit.DefaultBytes}).");
        }
        if (Exchange.ExchangeLimits.PingTimeoutProblem(options.ExchangePingTimeout) is { } ping)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangePingTimeout: {ping}");
        }
        if (options.ExchangeMaxCallsInFlight < 1)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangeMaxCallsInFlight: {options.ExchangeMaxCallsInFlight} must be at least 1.");
        }
        if (options.ExchangeMaxConnections < 1)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangeMaxConnections: {options.ExchangeMaxConnections} must be at least 1 (the default is {Exchange.ExchangeAdmission.DefaultMaxConnections}).");
        }
        if (options.ExchangeMaxHandshakes < 1)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangeMaxHandshakes: {options.ExchangeMaxHandshakes} must be at least 1 (the default is {Exchange.ExchangeAdmission.DefaultMaxHandshakes}).");
        }
        if (options.ExchangeMaxHandshakesPerAddress < 1)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangeMaxHandshakesPerAddress: {options.ExchangeMaxHandshakesPerAddress} must be at least 1 (the default is {Exchange.ExchangeAdmission.DefaultMaxHandshakesPerAddress}).");
        }
        else if (options.ExchangeMaxHandshakes >= 1 && options.ExchangeMaxHandshakesPerAddress > options.ExchangeMaxHandshakes)
        {
            errors.Add($"{ServeSiloOptions.SectionName}:ExchangeMaxHandshakesPerAddress: {options.ExchangeMaxHandshakesPerAddress} is more than ExchangeMaxHandshakes ({options.ExchangeMaxHandshakes}). Fix: at most {options.ExchangeMaxHandshakes}, or raise ExchangeMaxHandshakes.");
        }
        var resources = options.Resources;
        if (resources is null)
        {
            errors.Add($"{Section} must not be null.");
            return ValidateOptionsResult.Fail(errors);
        }
        if (resources.NumCpus is { } cpus && (!double.IsFinite(cpus) || cpus < 0))
        {
            errors.Add($"{Section}:NumCpus: {resources.NumCpus} must be a number ≥ 0.");
        }
        if (!double.IsFinite(resources.NumGpus) || resources.NumGpus < 0)
        {
            errors.Add($"{Section}:NumGpus: {resources.NumGpus} must be a number ≥ 0.");
        }
        if (resources.Memory is < 0)
        {
            errors.Add($"{Section}:Memory: {resources.Memory} must be ≥ 0 (bytes).");
        }
        foreach (var (resource, amount) in resources.Custom ?? [])
        {
            if (string.IsNullOrWhiteSpace(resource) || resource.Contains('='))
            {
                errors.Add($"{Section}:Custom: '{resource}' is not a resource name. Fix: use a non-empty name without '='.");
            }
            if (!double.IsFinite(amount) || amount < 0)
            {
                errors.Add($"{Section}:Custom:{resource}: {amount} must be a number ≥ 0.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
