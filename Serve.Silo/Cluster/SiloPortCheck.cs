using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Serve.Cluster;

/// <summary>
/// Refuses to start a silo whose silo or client port another process already listens on, just before Orleans binds
/// them: two silos on one port would split the connections of their peers and clients between them.
/// </summary>
internal sealed class SiloPortCheck(IOptions<EndpointOptions> endpoints) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloPortCheck), ServiceLifecycleStage.RuntimeInitialize - 10, _ =>
        {
            Check(endpoints.Value);
            return Task.CompletedTask;
        });

    private static void Check(EndpointOptions options)
    {
        var taken = new List<string>();
        var silo = options.SiloListeningEndpoint ?? new IPEndPoint(options.AdvertisedIPAddress, options.SiloPort);
        if (silo.Port != 0 && PortProbe.IsTaken(silo))
        {
            taken.Add($"{ServeClusterOptions.SectionName}:SiloPort: port {silo.Port} on {silo.Address} is already in use by another process");
        }
        var gateway = options.GatewayListeningEndpoint ?? (options.GatewayPort != 0 ? new IPEndPoint(options.AdvertisedIPAddress, options.GatewayPort) : null);
        if (gateway is { Port: not 0 } && PortProbe.IsTaken(gateway))
        {
            taken.Add($"{ServeClusterOptions.SectionName}:GatewayPort: port {gateway.Port} on {gateway.Address} is already in use by another process");
        }
        if (taken.Count > 0)
        {
            throw new SiloPortInUseException(
                $"{string.Join("; ", taken)}. Two silos on one port split the connections of their peers and clients, so this silo does not start. "
                + "Fix: stop the other process (another silo on this machine?), or give this silo free ports.");
        }
    }
}
