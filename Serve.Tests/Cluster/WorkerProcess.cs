using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serve.Tests.Cluster;

/// <summary>
/// One worker silo as a real process (<c>dotnet Serve.Silo.dll</c>), configured by environment variables. Its
/// ports stay the same across restarts, as a container's would, so a restarted worker declares its previous
/// incarnation dead when it joins.
/// </summary>
public sealed partial class WorkerProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;
    private ProcessOutput? _output;

    public WorkerProcess(string name, int siloPort, int gatewayPort, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        _environment = environment;
    }

    public string Name { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The Orleans address of the running incarnation (endpoint and generation), from its start-up log line.</summary>
    public string? SiloAddress { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => IsRunning ? _process!.Id : null;

    public string RecentOutput => _output?.Recent ?? "";

    /// <summary>Starts the process and returns once it logged that its silo is active in the cluster.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }
        _process?.Dispose();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Serve.Silo.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start)!;
        _output = new ProcessOutput(_process, Name);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var line = await _output.WaitForLineAsync(l => ActiveLine().IsMatch(l), timeout);
        SiloAddress = ActiveLine().Match(line).Groups[1].Value;
    }

    /// <summary><c>kill -9</c>: no shutdown, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    [GeneratedRegex(@"Worker silo (\S+) is active")]
    private static partial Regex ActiveLine();
}
