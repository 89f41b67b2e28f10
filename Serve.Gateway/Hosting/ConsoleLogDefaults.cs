using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Serve.Hosting;

/// <summary>
/// The console format of a <see cref="ServeHost"/> process when its configuration says none: one line per entry, with
/// its time, as the worker's <c>appsettings.json</c> has it. ASP.NET Core's default writes each entry on two lines and
/// without a time, so a gateway's access log and warnings could not be lined up with its workers' lines.
/// </summary>
internal static class ConsoleLogDefaults
{
    private static readonly Dictionary<string, string?> Values = new()
    {
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
    };

    /// <summary>Adds the defaults under every other source, so appsettings, the environment and the command line win.</summary>
    public static void AddTo(IConfigurationBuilder configuration) =>
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Values });
}
