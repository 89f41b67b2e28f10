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
