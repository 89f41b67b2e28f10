using System.Net;
using Microsoft.Extensions.Options;

namespace Serve.Hosting;

/// <summary>Reports every invalid <see cref="ServeGatewayOptions"/> value at once, at start.</summary>
internal sealed class ServeGatewayOptionsValidator : IValidateOptions<ServeGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeGatewayOptions options)
    {
        var errors = new List<string>();
        if (options.Host != "localhost" && !IPAddress.TryParse(options.Host, out _))
        {
            errors.Add($"Serve:Http:Host: '{options.Host}' must be an IP address or 'localhost'.");
        }
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Serve:Http:Port: {options.Port} must be between 0 and 65535.");
        }
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Serve:Http:RequestTimeout: {options.RequestTimeout} must be positive (or unset for none).");
        }
        if (options.MaxRequestBodySize <= 0)
        {
            errors.Add($"Serve:Http:MaxRequestBodySize: {options.MaxRequestBodySize} must be positive.");
        }
        if (options.RetryAfterSeconds < 0)
        {
            errors.Add($"Serve:Http:RetryAfterSeconds: {options.RetryAfterSeconds} must not be negative.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
