using System.Text.RegularExpressions;

namespace Serve.Tests.Cluster;

/// <summary>One worker silo as a real process: <c>dotnet Serve.Silo.dll</c>.</summary>
public sealed partial class WorkerProcess(string name, int siloPort, int gatewayPort, IReadOnlyDictionary<string, string> environment)
    : SiloProcess(name, "Serve.Silo.dll", ActiveLine(), siloPort, gatewayPort, environment)
{
    [GeneratedRegex(@"Worker silo (\S+) is active")]
    private static partial Regex ActiveLine();
}
