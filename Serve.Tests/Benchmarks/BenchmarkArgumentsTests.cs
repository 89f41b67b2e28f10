using Serve.Benchmarks;

namespace Serve.Tests.Benchmarks;

/// <summary>The benchmarks' shared command-line reader: values by type, and every mistake named with its option and value.</summary>
public sealed class BenchmarkArgumentsTests
{
    private static readonly string[] Options = ["--duration", "--rounds", "--connections", "--path", "--scenarios"];

    private static BenchmarkArguments Read(params string[] args) => BenchmarkArguments.Parse(args, Options, ["--pin"]);

    private static string Refused(Func<object?> read) => Assert.Throws<BenchmarkUsageException>(read).Message;

    [Fact]
    public void Parse_GoodValues_ReadByTypeAndDefaultsForTheRest()
    {
        var read = Read("--duration", "2.5", "--connections", "64,8", "--pin", "--path", "http", "--scenarios", "a,c");

        Assert.Equal(TimeSpan.FromSeconds(2.5), read.Seconds("--duration", TimeSpan.FromSeconds(10)));
        Assert.Equal(2, read.Int("--rounds", 2));
        Assert.Equal([64, 8], read.Ints("--connections", [1]));
        Assert.Equal("http", read.OneOf("--path", "handle", "handle", "http"));
        Assert.Equal(["a", "c"], read.SomeOf("--scenarios", ["a", "b", "c"])!);
        Assert.True(read.Has("--pin"));
        Assert.Null(Read().SomeOf("--scenarios", ["a"]));
    }

    [Theory]
    [InlineData("--duration", "abc", "--duration: 'abc' is not a number above 0.")]
    [InlineData("--duration", "-1", "--duration: '-1' is not a number above 0.")]
    [InlineData("--duration", "NaN", "--duration: 'NaN' is not a number above 0.")]
    [InlineData("--rounds", "2.5", "--rounds: '2.5' is not a whole number of at least 1.")]
    [InlineData("--rounds", "0", "--rounds: '0' is not a whole number of at least 1.")]
    [InlineData("--connections", "64,x", "--connections: 'x' in '64,x' is not a whole number of at least 1.")]
    [InlineData("--connections", "64,,8", "--connections: '' in '64,,8' is not a whole number of at least 1.")]
    [InlineData("--path", "grpc", "--path: 'grpc' is not one of handle, http.")]
    [InlineData("--scenarios", "a,nope", "--scenarios: 'nope' in 'a,nope' is not one of a, b, c.")]
    public void Read_BadValue_RefusedNamingTheOptionAndTheValue(string option, string value, string message)
    {
        var read = Read(option, value);

        Assert.Equal(message, Refused(() => option switch
        {
            "--duration" => read.Seconds(option, TimeSpan.Zero),
            "--rounds" => read.Int(option, 1),
            "--connections" => read.Ints(option, []),
            "--path" => read.OneOf(option, "handle", "handle", "http"),
            _ => read.SomeOf(option, ["a", "b", "c"]),
        }));
    }

    [Theory]
    [InlineData(new[] { "--duration" }, "--duration needs a value.")]
    [InlineData(new[] { "--duration", "--rounds", "2" }, "--duration needs a value.")]
    [InlineData(new[] { "--rounds", "2", "--rounds", "3" }, "--rounds is given twice.")]
    [InlineData(new[] { "--pin", "--pin" }, "--pin is given twice.")]
    [InlineData(new[] { "--durations", "2" }, "Unknown option '--durations'; this mode takes --duration, --rounds, --connections, --path, --scenarios, --pin.")]
    [InlineData(new[] { "10" }, "Unexpected '10': options are written --name value.")]
    public void Parse_MalformedCommandLine_RefusedNamingTheOption(string[] args, string message)
    {
        Assert.Equal(message, Refused(() => Read(args)));
    }

    [Fact]
    public void Int_OutsideItsRange_RefusedNamingTheRange()
    {
        Assert.Equal("--rounds: '2' is not a whole number from 0 to 1.", Refused(() => Read("--rounds", "2").Int("--rounds", 1, minimum: 0, maximum: 1)));
    }

    [Fact]
    public void HandlesSettings_BadValue_RefusedAsTheOtherModesAre()
    {
        var settings = BenchmarkSettings.Parse(["--callers", "8", "--max-ongoing", "4"]);

        Assert.Equal((8, 4, TimeSpan.FromSeconds(10)), (settings.Callers, settings.EffectiveMaxOngoingRequests, settings.Duration));
        Assert.Equal("--duration: 'abc' is not a number above 0.", Refused(() => BenchmarkSettings.Parse(["--duration", "abc"])));
        Assert.Equal("--callers needs a value.", Refused(() => BenchmarkSettings.Parse(["--callers"])));
    }

    [Fact]
    public void TelemetryGateway_ArgumentsTheBenchmarkStartsItWith_PortAndTheHostsConfiguration()
    {
        var (port, configuration) = Serve.Benchmarks.Http.TelemetryGatewayArguments.Parse(
            Serve.Benchmarks.Http.TelemetryGatewayArguments.Arguments(5123, ["--Serve:Admin:Enabled=false", "--Serve:Telemetry:Enabled=false"]));

        Assert.Equal(5123, port);
        Assert.Equal(["--Serve:Admin:Enabled=false", "--Serve:Telemetry:Enabled=false"], configuration);
    }

    [Theory]
    [InlineData(new[] { "--port", "abc", "--", "--Serve:Admin:Enabled=false" }, "--port: 'abc' is not a whole number from 1 to 65535.")]
    [InlineData(new[] { "--port", "70000" }, "--port: '70000' is not a whole number from 1 to 65535.")]
    [InlineData(new[] { "5123", "--", "--Serve:Admin:Enabled=false" }, "Unexpected '5123': options are written --name value.")]
    [InlineData(new[] { "--", "--Serve:Admin:Enabled=false" }, "--port is required.")]
    public void TelemetryGateway_BadPort_RefusedNamingIt(string[] args, string message)
    {
        Assert.Equal(message, Refused(() => Serve.Benchmarks.Http.TelemetryGatewayArguments.Parse(args)));
    }
}
