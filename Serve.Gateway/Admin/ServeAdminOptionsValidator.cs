using System.Net;
using Microsoft.Extensions.Options;
using Serve.Admin;

namespace Serve.Hosting;

/// <summary>Reports every invalid <see cref="ServeAdminOptions"/> value at once, at start. Never repeats the token.</summary>
internal sealed class ServeAdminOptionsValidator(IOptions<ServeGatewayOptions> gateway) : IValidateOptions<ServeAdminOptions>
{
    internal const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, ServeAdminOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Skip;
        }
        var errors = new List<string>();
        var isIp = IPAddress.TryParse(options.Host, out var address);
        if (options.Host != "localhost" && !isIp)
        {
            errors.Add($"Serve:Admin:Host: '{options.Host}' must be an IP address or 'localhost'.");
        }
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Serve:Admin:Port: {options.Port} must be between 0 and 65535.");
        }
        else if (options.Port != 0 && options.Port == gateway.Value.Port)
        {
            errors.Add($"Serve:Admin:Port: {options.Port} is also the gateway's HTTP port (Serve:Http:Port); the admin API needs a port of its own.");
        }
        if (string.IsNullOrEmpty(options.Token))
        {
            if (isIp && !IPAddress.IsLoopback(address!))
            {
                errors.Add($"Serve:Admin:Host: '{options.Host}' would open the admin API beyond this machine without a token. Fix: set Serve:Admin:Token (e.g. the environment variable Serve__Admin__Token), or listen on 127.0.0.1.");
            }
        }
        else if (options.Token.Length < MinimumTokenLength || options.Token.Any(char.IsWhiteSpace))
        {
            errors.Add($"Serve:Admin:Token: must be at least {MinimumTokenLength} characters without spaces (the one given has {options.Token.Length}). Fix: use a random value, e.g. from `openssl rand -hex 32`.");
        }
        if (options.MaxFailedAuthentications < 0)
        {
            errors.Add($"Serve:Admin:MaxFailedAuthentications: {options.MaxFailedAuthentications} must be 0 (no limit) or more.");
        }
        if (options.MaxConnectionsPerAddress < 0)
        {
            errors.Add($"Serve:Admin:MaxConnectionsPerAddress: {options.MaxConnectionsPerAddress} must be 0 (no bound) or more.");
        }
        if (options.MaxRequestBodySize <= 0)
        {
            errors.Add($"Serve:Admin:MaxRequestBodySize: {options.MaxRequestBodySize} must be positive.");
        }
        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            var host = options.AllowedHosts[i];
            if (string.IsNullOrWhiteSpace(host) || (!IPAddress.TryParse(host.Trim('[', ']'), out _) && host.Any(c => char.IsWhiteSpace(c) || c is '/' or ':' or '@')))
            {
                errors.Add($"Serve:Admin:AllowedHosts:{i}: '{host}' must be a host name without scheme, port or path, such as 'gateway.internal', or '*' for any.");
            }
        }
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (AdminRequestPolicy.OriginOf(origin) is null)
            {
                errors.Add(origin == "*"
                    ? $"Serve:Admin:AllowedOrigins:{i}: '*' is not accepted: any web page the user opens could then deploy and delete applications. List each origin, such as 'https://tools.example.com'."
                    : $"Serve:Admin:AllowedOrigins:{i}: '{origin}' must be an origin: http:// or https://, a host and an optional port, no path, such as 'https://tools.example.com:8443'.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
