using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A bare Kestrel on free loopback ports that runs one request delegate and logs nothing: real HTTP before one part of
/// the gateway (a forwarder, a wrapper), without the rest of it.
/// </summary>
public static class LoopbackServer
{
    /// <summary>
    /// Starts Kestrel running <paramref name="handler"/> on one free port for each of <paramref name="protocols"/>;
    /// returns it with each port's address, in that order.
    /// </summary>
    public static async Task<(WebApplication Server, Uri[] Addresses)> StartAsync(RequestDelegate handler, params HttpProtocols[] protocols)
    {
        var ports = FreePorts.Take(protocols.Length);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            for (var i = 0; i < ports.Length; i++)
            {
                var protocol = protocols[i];
                k.Listen(IPAddress.Loopback, ports[i], l => l.Protocols = protocol);
            }
        });
        var server = builder.Build();
        server.Run(handler);
        await server.StartAsync();
        return (server, [.. ports.Select(p => new Uri($"http://127.0.0.1:{p}/"))]);
    }
}
