using Serve.Hosting;

namespace Serve.Tests.Gateway;

/// <summary>The gateway's started line says which of the server's addresses is the admin API's.</summary>
public sealed class GatewayStartedLogTests
{
    [Fact]
    public void Addresses_AdminApiOnTheSameServer_ToldApartFromHttp()
    {
        var (http, admin) = GatewayStartedLog.Addresses(["http://127.0.0.1:8000", "http://127.0.0.1:8001", "http://127.0.0.1:8265"], new Uri("http://127.0.0.1:8265/"));

        Assert.Equal("http://127.0.0.1:8000, http://127.0.0.1:8001", http);
        Assert.Equal("http://127.0.0.1:8265/", admin);
    }

    [Fact]
    public void Addresses_NoAdminApi_EveryAddressIsHttpAndAdminIsNone()
    {
        var (http, admin) = GatewayStartedLog.Addresses(["http://127.0.0.1:8000"], null);

        Assert.Equal(("http://127.0.0.1:8000", "none"), (http, admin));
    }
}
