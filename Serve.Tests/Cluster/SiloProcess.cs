using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serve.Tests.Cluster;

/// <summary>
/// One silo as a real process (<c>dotnet &lt;host&gt;.dll</c> from the test's output folder), configured by environment
/// variables. Its ports stay the same across restarts, as a container's would, so a restarted silo declares its
/// previous incarnation dead when it joins. Start returns once the host logged that its silo is active (and whatever
/// else <see cref="WaitUntilReadyAsync"/> adds).
/// </summary>
public abstract class SiloProcess : IAsyncDisposable
{
    private readonly string _hostAssembly;
    private readonly Regex _activeLine;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;
    private ProcessOutput? _output;

    /// <param name="activeLine">Matches the host's "silo is active" log line; its first group is the silo address.</param>
    protected SiloProcess(string name, string hostAssembly, Regex activeLine, int siloPort, int gatewayPort, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        _hostAssembly = hostAssembly;
        _activeLine = activeLine;
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

    public async Task StartAsync(TimeSpan timeout)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }
        var deadline = DateTime.UtcNow + timeout;
        _process?.Dispose();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, _hostAssembly) },
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
        var line = await _output.WaitForLineAsync(_activeLine.IsMatch, timeout);
        SiloAddress = _activeLine.Match(line).Groups[1].Value;
        await WaitUntilReadyAsync(deadline);
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

    public virtual async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>More readiness than the active line, polled until <paramref name="deadline"/>.</summary>
    protected virtual Task WaitUntilReadyAsync(DateTime deadline) => Task.CompletedTask;
}
