using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Serve.Hosting;

/// <summary>Reports every invalid <see cref="ServeGatewayOptions"/> value at once, at start.</summary>
internal sealed class ServeGatewayOptionsValidator(TimeProvider time) : IValidateOptions<ServeGatewayOptions>
{
    public ServeGatewayOptionsValidator()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Kestrel's default <c>MaxRequestBufferSize</c>, which the gateway keeps.</summary>
    private const int MaxRequestBuffer = 1024 * 1024;

    /// <summary>A WebSocket message travels in one grain call: kept well below Orleans' largest message body (100 MB).</summary>
    private const int MaxWebSocketMessage = 64 * 1024 * 1024;

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
        if (options.Protocols is not (HttpProtocols.Http1 or HttpProtocols.Http2 or HttpProtocols.Http1AndHttp2))
        {
            errors.Add($"Serve:Http:Protocols: '{options.Protocols}' must be Http1, Http2 or Http1AndHttp2 (the gateway does not serve HTTP/3).");
        }
        if (options.Http2Port is < 0 or > 65535)
        {
            errors.Add($"Serve:Http:Http2Port: {options.Http2Port} must be between 0 and 65535 (or unset for none).");
        }
        else if (options.Http2Port is > 0 && options.Http2Port == options.Port)
        {
            errors.Add($"Serve:Http:Http2Port: {options.Http2Port} is Serve:Http:Port too. Fix: give the HTTP/2 port a port of its own, or set Serve:Http:Protocols=Http2 to make the HTTP port speak HTTP/2.");
        }
        var tls = options.Tls ?? new ServeGatewayTlsOptions();
        if (tls.IsEnabled)
        {
            GatewayCertificate.Load(tls, time, errors)?.Dispose();
        }
        else if (!string.IsNullOrWhiteSpace(tls.KeyPath) || !string.IsNullOrEmpty(tls.CertificatePassword))
        {
            errors.Add($"Serve:Http:Tls: KeyPath '{tls.KeyPath}' or CertificatePassword is set but CertificatePath is not. Fix: set Serve:Http:Tls:CertificatePath too, or remove the TLS settings.");
        }
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Serve:Http:RequestTimeout: {options.RequestTimeout} must be positive (or unset for none).");
        }
        if (options.StreamIdleTimeout < TimeSpan.Zero)
        {
            errors.Add($"Serve:Http:StreamIdleTimeout: {options.StreamIdleTimeout} must be positive, or 0 for none.");
        }
        if (options.MaxRequestBodySize <= 0)
        {
            errors.Add($"Serve:Http:MaxRequestBodySize: {options.MaxRequestBodySize} must be positive.");
        }
        if (options.MaxWebSocketMessageSize is < 1 or > MaxWebSocketMessage)
        {
            errors.Add($"Serve:Http:MaxWebSocketMessageSize: {options.MaxWebSocketMessageSize} must be between 1 and {MaxWebSocketMessage}.");
        }
        if (options.RequestBodyBudget < options.MaxRequestBodySize)
        {
            errors.Add($"Serve:Http:RequestBodyBudget: {options.RequestBodyBudget} must be at least Serve:Http:MaxRequestBodySize ({options.MaxRequestBodySize}), or a body of the largest size could never be taken.");
        }
        if (options.MaxConnections <= 0)
        {
            errors.Add($"Serve:Http:MaxConnections: {options.MaxConnections} must be positive (or unset for no limit).");
        }
        if (options.MaxConnectionsPerAddress <= 0 || options.MaxConnectionsPerAddress > options.MaxConnections)
        {
            errors.Add($"Serve:Http:MaxConnectionsPerAddress: {options.MaxConnectionsPerAddress} must be positive and at most Serve:Http:MaxConnections ({options.MaxConnections}), or unset for no bound per address.");
        }
        if (options.MinRequestBodyDataRate < 0 || !double.IsFinite(options.MinRequestBodyDataRate))
        {
            errors.Add($"Serve:Http:MinRequestBodyDataRate: {options.MinRequestBodyDataRate} must be 0 (no minimum) or a positive number of bytes per second.");
        }
        if (options.MinRequestBodyDataRate > 0 && options.MinRequestBodyDataRateGracePeriod <= TimeSpan.FromSeconds(1))
        {
            errors.Add($"Serve:Http:MinRequestBodyDataRateGracePeriod: {options.MinRequestBodyDataRateGracePeriod} must be more than 1 second (Kestrel checks rates once a second).");
        }
        if (options.RequestHeadersTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Serve:Http:RequestHeadersTimeout: {options.RequestHeadersTimeout} must be positive.");
        }
        // Kestrel buffers at most 1 MiB of a request before the application reads it: a line or headers must fit.
        if (options.MaxRequestLineSize is <= 0 or > MaxRequestBuffer)
        {
            errors.Add($"Serve:Http:MaxRequestLineSize: {options.MaxRequestLineSize} must be between 1 and {MaxRequestBuffer}.");
        }
        if (options.MaxRequestHeadersTotalSize is <= 0 or > MaxRequestBuffer)
        {
            errors.Add($"Serve:Http:MaxRequestHeadersTotalSize: {options.MaxRequestHeadersTotalSize} must be between 1 and {MaxRequestBuffer}.");
        }
        if (options.MaxRequestHeaderCount <= 0)
        {
            errors.Add($"Serve:Http:MaxRequestHeaderCount: {options.MaxRequestHeaderCount} must be positive.");
        }
        if (options.RetryAfterSeconds < 0)
        {
            errors.Add($"Serve:Http:RetryAfterSeconds: {options.RetryAfterSeconds} must not be negative.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
