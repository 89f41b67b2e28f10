using Microsoft.AspNetCore.Http;
using Serve.Admin;
using Serve.Hosting;

namespace Serve.Tests.Admin;

public sealed class AdminRequestPolicyTests
{
    private static AdminRequestPolicy Policy(string listen = "127.0.0.1", string[]? hosts = null, string[]? origins = null) =>
        new(new ServeAdminOptions { Host = listen, AllowedHosts = hosts ?? [], AllowedOrigins = origins ?? [] }, machineName: "box");

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:8265", true)]
    [InlineData("127.0.0.1", "localhost:8265", true)]
    [InlineData("127.0.0.1", "LOCALHOST", true)]
    [InlineData("127.0.0.1", "[::1]:8265", true)]
    [InlineData("127.0.0.1", "127.0.0.2", true)]
    [InlineData("127.0.0.1", "", true)]
    [InlineData("127.0.0.1", "evil.test:8265", false)]
    [InlineData("127.0.0.1", "localhost.evil.test", false)]
    [InlineData("127.0.0.1", "box:8265", false)]
    [InlineData("127.0.0.1", "10.0.0.5:8265", false)]
    [InlineData("localhost", "localhost:8265", true)]
    [InlineData("0.0.0.0", "10.0.0.5:8265", true)]
    [InlineData("0.0.0.0", "box:8265", true)]
    [InlineData("0.0.0.0", "evil.test", false)]
    [InlineData("10.0.0.5", "10.0.0.5:8265", true)]
    [InlineData("10.0.0.5", "10.0.0.6:8265", false)]
    [InlineData("10.0.0.5", "localhost:8265", false)]
    public void Refuse_HostHeader_OnlyListenAddressesPass(string listen, string host, bool allowed)
    {
        var refusal = Policy(listen).Refuse("http", host.Length == 0 ? default : new HostString(host), origin: null, fetchSite: null);

        Assert.Equal(allowed, refusal is null);
    }

    [Fact]
    public void Refuse_LongHostAndOrigin_RefusalQuotesThemCut()
    {
        var host = Policy().Refuse("http", new HostString(new string('h', 8_000)), null, null);
        var origin = Policy().Refuse("http", new HostString("127.0.0.1:8265"), "http://" + new string('o', 8_000), "cross-site");

        Assert.Contains($"'{new string('h', 300)}…'", host);
        Assert.True(host!.Length < 1_000, host);
        Assert.True(origin!.Length < 1_000, origin);
    }

    [Fact]
    public void Refuse_ConfiguredHostNames_Pass()
    {
        Assert.Null(Policy(hosts: ["gateway.internal"]).Refuse("http", new HostString("Gateway.Internal:8265"), null, null));
        Assert.Null(Policy(hosts: ["*"]).Refuse("http", new HostString("anything.test"), null, null));
        Assert.NotNull(Policy(hosts: ["gateway.internal"]).Refuse("http", new HostString("evil.test"), null, null));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "none", true)]
    [InlineData("http://127.0.0.1:8265", "same-origin", true)]
    [InlineData("http://127.0.0.1:8265", null, true)]
    [InlineData("http://127.0.0.1:8265", "cross-site", false)]
    [InlineData(null, "cross-site", false)]
    [InlineData(null, "same-site", false)]
    [InlineData("http://127.0.0.1:3000", null, false)]
    [InlineData("https://127.0.0.1:8265", null, false)]
    [InlineData("null", null, false)]
    [InlineData("http://tools.test:3000", "cross-site", true)]
    [InlineData("http://tools.test:3001", "cross-site", false)]
    public void Refuse_BrowserOrigin_OnlySameOrAllowedOriginsPass(string? origin, string? fetchSite, bool allowed)
    {
        var refusal = Policy(origins: ["http://tools.test:3000/"]).Refuse("http", new HostString("127.0.0.1:8265"), origin, fetchSite);

        Assert.Equal(allowed, refusal is null);
    }

    [Fact]
    public void Refuse_Reasons_NameTheHeaderAndTheFix()
    {
        var policy = Policy();

        Assert.Equal(
            "the Host header 'evil.test:8265' is not an address of this admin API. A web page on another site can reach 127.0.0.1 through a DNS name it controls (DNS rebinding), so only the addresses the admin API listens on are accepted. Fix: call it by its address (e.g. http://127.0.0.1:8265), or add the name to Serve:Admin:AllowedHosts.",
            policy.Refuse("http", new HostString("evil.test:8265"), "http://evil.test:8265", null));
        Assert.Equal(
            "a web page on another site sent this request (Sec-Fetch-Site: cross-site, Origin: https://evil.example). Browsers may call the admin API only from its own pages. Fix: use the serve CLI or curl, or add the page's origin to Serve:Admin:AllowedOrigins.",
            policy.Refuse("http", new HostString("127.0.0.1:8265"), "https://evil.example", "cross-site"));
    }
}
