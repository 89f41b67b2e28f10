using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Http;

/// <summary>
/// Free loopback ports for a benchmark's own gateway silo (<see cref="ServeHost.CreateBuilder"/>): its silo port, its
/// Orleans gateway port and its admin port, as command-line settings, which win over <c>Serve__*</c> environment
/// variables. With ServeHost's defaults (11111, 30000, 8265) two benchmark runs at once would share one cluster without
/// a word: Orleans lets two processes bind the same silo port.
/// </summary>
internal static class GatewayPorts
{
    /// <summary>The port settings, followed by <paramref name="more"/> settings.</summary>
    public static string[] Args(params string[] more)
    {
        var ports = FreePorts.Take(3);
        return [$"--Serve:Cluster:SiloPort={ports[0]}", $"--Serve:Cluster:GatewayPort={ports[1]}", $"--Serve:Admin:Port={ports[2]}", .. more];
    }
}
