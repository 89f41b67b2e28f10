using System.Net;
using Microsoft.Extensions.Options;

namespace Serve.Hosting;

/// <summary>Checks <see cref="ServeTelemetryOptions"/> at start, reporting every problem at once.</summary>
internal sealed class ServeTelemetryOptionsValidator : IValidateOptions<ServeTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeTelemetryOptions options)
    {
        var failures = new List<string>();
        if (options.TraceSampleRatio is < 0 or > 1 || double.IsNaN(options.TraceSampleRatio))
        {
            failures.Add(FormattableString.Invariant($"Serve:Telemetry:TraceSampleRatio must be from 0 to 1 (got {options.TraceSampleRatio})."));
        }
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"Serve:Telemetry:Port must be from 0 to 65535, or unset for no telemetry endpoint (got {options.Port}).");
        }
        if (options.Host != "localhost" && !IPAddress.TryParse(options.Host, out _))
        {
            failures.Add($"Serve:Telemetry:Host must be an IP address or localhost (got \"{options.Host}\").");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
