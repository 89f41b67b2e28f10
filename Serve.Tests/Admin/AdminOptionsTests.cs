using Microsoft.Extensions.Options;
using Serve.Admin;
using Serve.Hosting;

namespace Serve.Tests.Admin;

public sealed class AdminOptionsTests
{
    private static ValidateOptionsResult Validate(ServeAdminOptions options, int gatewayPort = 8000) =>
        new ServeAdminOptionsValidator(Options.Create(new ServeGatewayOptions { Port = gatewayPort })).Validate(null, options);

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validate(new ServeAdminOptions()).Succeeded);

    [Fact]
    public void Validate_PublicHostWithoutToken_FailsSayingHowToFix()
    {
        var result = Validate(new ServeAdminOptions { Host = "0.0.0.0" });

        Assert.Equal(
            "Serve:Admin:Host: '0.0.0.0' would open the admin API beyond this machine without a token. Fix: set Serve:Admin:Token (e.g. the environment variable Serve__Admin__Token), or listen on 127.0.0.1.",
            Assert.Single(result.Failures!));
        Assert.True(Validate(new ServeAdminOptions { Host = "0.0.0.0", Token = new string('t', 32) }).Succeeded);
    }

    [Fact]
    public void Validate_EveryProblem_ReportedAtOnceWithoutTheToken()
    {
        var result = Validate(new ServeAdminOptions { Host = "example", Port = 8000, Token = "short secret" });

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains("Serve:Admin:Host: 'example' must be an IP address or 'localhost'.", result.Failures!);
        Assert.Contains("Serve:Admin:Port: 8000 is also the gateway's HTTP port (Serve:Http:Port); the admin API needs a port of its own.", result.Failures!);
        Assert.DoesNotContain(result.Failures!, f => f.Contains("short secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadAllowedHostsOriginsAndBodyLimit_EachNamed()
    {
        var result = Validate(new ServeAdminOptions
        {
            AllowedHosts = ["gateway.internal", "::1", "http://x", "host:80"],
            AllowedOrigins = ["https://tools.example.com:8443", "*", "https://x/path", "tools.example.com"],
            MaxRequestBodySize = 0,
        });

        Assert.Equal(
            [
                "Serve:Admin:MaxRequestBodySize: 0 must be positive.",
                "Serve:Admin:AllowedHosts:2: 'http://x' must be a host name without scheme, port or path, such as 'gateway.internal', or '*' for any.",
                "Serve:Admin:AllowedHosts:3: 'host:80' must be a host name without scheme, port or path, such as 'gateway.internal', or '*' for any.",
                "Serve:Admin:AllowedOrigins:1: '*' is not accepted: any web page the user opens could then deploy and delete applications. List each origin, such as 'https://tools.example.com'.",
                "Serve:Admin:AllowedOrigins:2: 'https://x/path' must be an origin: http:// or https://, a host and an optional port, no path, such as 'https://tools.example.com:8443'.",
                "Serve:Admin:AllowedOrigins:3: 'tools.example.com' must be an origin: http:// or https://, a host and an optional port, no path, such as 'https://tools.example.com:8443'.",
            ],
            result.Failures!);
    }

    [Fact]
    public void Validate_NegativeConnectionsPerAddress_Named() =>
        Assert.Equal(["Serve:Admin:MaxConnectionsPerAddress: -1 must be 0 (no bound) or more."], Validate(new ServeAdminOptions { MaxConnectionsPerAddress = -1 }).Failures!);

    [Fact]
    public void Accepts_OnlyTheBearerToken()
    {
        var token = new AdminToken(Options.Create(new ServeAdminOptions { Token = "0123456789abcdef0123" }));
        var none = new AdminToken(Options.Create(new ServeAdminOptions()));

        Assert.True(token.Accepts("Bearer 0123456789abcdef0123"));
        Assert.True(token.Accepts("bearer 0123456789abcdef0123"));
        Assert.False(token.Accepts("Bearer 0123456789abcdef012"));
        Assert.False(token.Accepts("Basic 0123456789abcdef0123"));
        Assert.False(token.Accepts(null));
        Assert.True(none.Accepts(null));
    }
}
