using System.Net;
using Microsoft.Extensions.Options;

namespace Serve.Cluster;

/// <summary>Reports every invalid <see cref="ServeClusterOptions"/> value at once, at start, for a silo or a client.</summary>
internal sealed class ServeClusterOptionsValidator(ClusterRole role = ClusterRole.Silo, TimeProvider? time = null) : IValidateOptions<ServeClusterOptions>
{
    private const string Section = ServeClusterOptions.SectionName;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ValidateOptionsResult Validate(string? name, ServeClusterOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"{Section}:Mode: '{options.Mode}' is not a mode. Fix: use Embedded or Redis.");
        }
        if (!Enum.IsDefined(options.Liveness))
        {
            errors.Add($"{Section}:Liveness: '{options.Liveness}' is not a profile. Fix: use Default or Fast.");
        }
        if (options.Mode == ClusterMode.Redis)
        {
            if (string.IsNullOrWhiteSpace(options.RedisConnectionString))
            {
                errors.Add($"{Section}:RedisConnectionString is required when Mode is Redis. Fix: set it, e.g. '127.0.0.1:6379'.");
            }
            else if (RedisConnection.TryParse(options.RedisConnectionString, out var error) is null)
            {
                errors.Add($"{Section}:RedisConnectionString is not a valid StackExchange.Redis configuration: {error}. Fix: use host:port[,option=value...], e.g. '127.0.0.1:6379'.");
            }
        }
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add($"{Section}:ClusterId: '{options.ClusterId}' must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add($"{Section}:ServiceId: '{options.ServiceId}' must not be empty.");
        }
        if (options.SiloPort is < 1 or > IPEndPoint.MaxPort)
        {
            errors.Add($"{Section}:SiloPort: {options.SiloPort} must be between 1 and {IPEndPoint.MaxPort}.");
        }
        if (options.GatewayPort is < 0 or > IPEndPoint.MaxPort)
        {
            errors.Add($"{Section}:GatewayPort: {options.GatewayPort} must be between 0 (no gateway) and {IPEndPoint.MaxPort}.");
        }
        if (role == ClusterRole.Silo && options.EffectiveGatewayPort != 0 && options.EffectiveGatewayPort == options.KnownSiloPort)
        {
            errors.Add($"{Section}:GatewayPort: {options.EffectiveGatewayPort} is also the SiloPort. Fix: give them different ports.");
        }
        if (role == ClusterRole.Client && options.Mode == ClusterMode.Embedded && options.GatewayPort is null or 0)
        {
            errors.Add($"{Section}:GatewayPort: '{options.GatewayPort}' names no port for this client of an Embedded cluster. Fix: set it to the embedded silo's GatewayPort (an embedded silo opens one only when it is set).");
        }
        if (options.ClientConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:ClientConnectTimeout: {options.ClientConnectTimeout} must be positive, e.g. 00:00:30.");
        }
        if (options.ExchangeMaxFrameBytes < Exchange.ExchangeLimits.MinFrameBytes)
        {
            errors.Add($"{Section}:ExchangeMaxFrameBytes: {options.ExchangeMaxFrameBytes} must be at least {Exchange.ExchangeLimits.MinFrameBytes} bytes.");
        }
        if (Exchange.ExchangeLimits.PingTimeoutProblem(options.ExchangePingTimeout) is { } ping)
        {
            errors.Add($"{Section}:ExchangePingTimeout: {ping}");
        }
        ValidateTransportSecurity(options, errors);
        if (options.AdvertisedAddress is { Length: > 0 } address && AdvertisedAddressResolver.Resolve(address, out var resolveError) is null)
        {
            errors.Add($"{Section}:AdvertisedAddress: '{address}' is neither an IP address nor a host name that resolves ({resolveError}). Fix: give an address such as 10.0.0.5 or 127.0.0.1, a resolvable host name, or leave it unset.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateTransportSecurity(ServeClusterOptions options, List<string> errors)
    {
        var tls = options.Tls ?? new ServeClusterTlsOptions();
        if (tls.IsEnabled)
        {
            ClusterCredentials.Load(tls, role, _time, errors);
            return;
        }
        if (!string.IsNullOrWhiteSpace(tls.CaPath) || !string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            errors.Add($"{Section}:Tls: CaPath '{tls.CaPath}' or KeyPath '{tls.KeyPath}' is set but no certificate is. Fix: set {Section}:Tls:CertificatePath (or Thumbprint) too, or remove the TLS settings.");
        }
        if (options.Mode == ClusterMode.Redis && !options.AllowInsecure)
        {
            errors.Add($"{Section}:Tls is not set, and a Redis-mode cluster listens on the network: without TLS anyone who reaches its ports joins it and runs code on it. Fix: set {Section}:Tls:CertificatePath and {Section}:Tls:CaPath (see the README for a development CA), or set {Section}:AllowInsecure=true on a network only trusted parties reach.");
        }
    }
}
