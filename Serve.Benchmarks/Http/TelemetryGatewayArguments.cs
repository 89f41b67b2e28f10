using System.Globalization;

namespace Serve.Benchmarks.Http;

/// <summary>
/// The command line of a <see cref="TelemetryGateway"/> child (<c>http-gateway --port &lt;port&gt; -- configuration...</c>):
/// its port read as every mode reads its options (<see cref="BenchmarkArguments"/>), the host's configuration after <c>--</c>.
/// </summary>
internal static class TelemetryGatewayArguments
{
    public const string Usage = "http-gateway --port <1-65535> [-- host configuration...]  (started by the http benchmark's --telemetry comparison)";

    /// <summary>The arguments the http benchmark starts a gateway with.</summary>
    public static string[] Arguments(int port, IEnumerable<string> configuration) =>
        ["--port", port.ToString(CultureInfo.InvariantCulture), "--", .. configuration];

    /// <summary>The port and the host's configuration; a <see cref="BenchmarkUsageException"/> naming what is wrong.</summary>
    public static (int Port, string[] Configuration) Parse(string[] args)
    {
        var end = Array.IndexOf(args, "--");
        var own = end < 0 ? args : args[..end];
        var port = BenchmarkArguments.Parse(own, ["--port"]).Int("--port", 0, minimum: 1, maximum: 65535);
        return port == 0 ? throw new BenchmarkUsageException("--port is required.") : (port, end < 0 ? [] : args[(end + 1)..]);
    }
}
