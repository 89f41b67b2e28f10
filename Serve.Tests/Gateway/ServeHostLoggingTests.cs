using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Serve.Tests.Gateway;

/// <summary>
/// A gateway's console log (<c>dotnet Serve.Gateway.dll</c>, any <see cref="ServeHost"/> program) reads as a worker's:
/// one line per entry with its time. Left to ASP.NET Core's defaults, every entry took two lines and none said when it
/// was written, so an operator could not line the gateway's access log and warnings up with the workers' lines.
/// </summary>
public sealed class ServeHostLoggingTests
{
    [Fact]
    public async Task CreateBuilder_NoConsoleSettings_LinesAreSingleAndTimestampedAsAWorkersAre()
    {
        await using var app = ServeHost.CreateBuilder([]).Build();

        var console = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var simple = app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        Assert.Equal((ConsoleFormatterNames.Simple, true, "HH:mm:ss.fff "), (console.FormatterName, simple.SingleLine, simple.TimestampFormat));
    }

    [Fact]
    public async Task CreateBuilder_ConsoleSettingsGiven_TheirsWin()
    {
        await using var app = ServeHost.CreateBuilder(
            ["--Logging:Console:FormatterOptions:SingleLine=false", "--Logging:Console:FormatterOptions:TimestampFormat=o", "--Logging:Console:FormatterOptions:UseUtcTimestamp=true"]).Build();

        var simple = app.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        Assert.Equal((false, "o", true), (simple.SingleLine, simple.TimestampFormat, simple.UseUtcTimestamp));
    }
}
