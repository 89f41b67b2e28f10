using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Serve.Admin;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Admin;

/// <summary>
/// Silent connections to a gateway's admin port from one host: by default that host gets its share of the port, not the
/// port, so the operator's CLI from another address still gets in.
/// </summary>
public sealed class AdminConnectionBoundTests
{
    /// <summary><c>Serve:Admin:MaxConnectionsPerAddress</c>'s default.</summary>
    private const int DefaultPerAddress = 64;

    [Fact]
    public async Task Connect_OneAddressPastItsShareByDefault_RefusedWhileAnotherAddressIsServed()
    {
        var gateway = await TestGateway.StartWithAdminAsync("admin-connection-tests", _ => { });
        var admin = gateway.Services.GetRequiredService<AdminListener>().Address!;
        var stranger = new IPAddress([127, 0, 0, 2]);
        List<Socket> held = [];
        try
        {
            // Each answered, so each holds its place before the next arrives; then silent, as a stranger's would be.
            for (var i = 0; i < DefaultPerAddress; i++)
            {
                held.Add(await RawHttpConnection.OpenAsync(admin, stranger));
                Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.GetStatusLineAsync(held[^1], "/api/serve/routes"));
            }
            for (var i = 0; i < 5; i++)
            {
                Assert.Null(await RawHttpConnection.TryGetAsync(admin, "/api/serve/routes", stranger));
            }

            Assert.Equal("HTTP/1.1 200 OK", await RawHttpConnection.TryGetAsync(admin, "/api/serve/routes", IPAddress.Loopback));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }
}
