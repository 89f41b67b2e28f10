using System.Diagnostics;
using System.Globalization;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

/// <summary>Two worker processes on one machine given the same ports: the second exits naming the port; the first serves on.</summary>
[Trait("Category", "Cluster")]
public sealed class SecondSiloProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_SecondWorkerOnTakenPorts_ExitsNamingThePortAndFirstKeepsRunning()
    {
        var ports = FreePorts.Take(2);
        var environment = Environment(ports[0], ports[1]);
        await using var first = new WorkerProcess("first", ports[0], ports[1], environment);
        await first.StartAsync(Timeout);

        var (exitCode, errors) = await RunToExitAsync(environment);

        Assert.Equal(2, exitCode);
        Assert.Contains($"Serve:Cluster:SiloPort: port {ports[0]} on 127.0.0.1 is already in use by another process", errors);
        Assert.Contains($"Serve:Cluster:GatewayPort: port {ports[1]} on 127.0.0.1 is already in use by another process", errors);
        Assert.True(first.IsRunning);
    }

    private static Dictionary<string, string> Environment(int siloPort, int gatewayPort) => new()
    {
        ["Serve__Cluster__ClusterId"] = $"ports-{Guid.NewGuid():N}",
        ["Serve__Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
        ["Serve__Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Serve"] = "Information",
        ["DOTNET_gcServer"] = "0",
    };

    /// <summary>Runs <c>dotnet Serve.Silo.dll</c> until it exits (killed at the deadline); its exit code and standard error.</summary>
    private static async Task<(int ExitCode, string Errors)> RunToExitAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Serve.Silo.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
            Assert.Fail($"The second worker was still running after {Timeout}. Its output:{System.Environment.NewLine}{await output}");
        }
        return (process.ExitCode, await errors);
    }
}
