using System.Text.RegularExpressions;

namespace Serve.Tests.Cluster;

/// <summary>
/// The samples' program as a real process (<c>dotnet Serve.Samples.dll [example]</c>): a gateway silo that deploys its
/// examples with <c>RunAsync</c> once it started, as a user's own program does.
/// </summary>
public sealed partial class SamplesProcess(string name, string example, int siloPort, IReadOnlyDictionary<string, string> environment)
    : SiloProcess(name, "Serve.Samples.dll", ActiveLine(), siloPort, gatewayPort: 0, environment, [example])
{
    [GeneratedRegex(@"Gateway silo (\S+) is active")]
    private static partial Regex ActiveLine();
}
