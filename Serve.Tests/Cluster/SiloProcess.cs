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
    private readonly IReadOnlyList<string> _arguments;
    private Process? _process;
    private ProcessOutput? _output;

    /// <param name="activeLine">Matches the host's "silo is active" log line; its first group is the silo address.</param>
    /// <param name="arguments">The host's command-line arguments, after its assembly.</param>
    protected SiloProcess(
        string name, string hostAssembly, Regex activeLine, int siloPort, int gatewayPort, IReadOnlyDictionary<string, string> environment,
        IReadOnlyList<string>? arguments = null)
    {
        _arguments = arguments ?? [];
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

    /// <summary>Every line the process writes, from each incarnation's first, as it arrives.</summary>
    public event Action<SiloProcess, string>? LineWritten;

    /// <summary>Completes with the first line of the process's output (kept, or to come) that matches; fails when it exits first or the time runs out.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout) =>
        _output?.WaitForLineAsync(match, timeout) ?? throw new InvalidOperationException($"{Name} has not started.");

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
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start)!;
        _output = new ProcessOutput(_process, Name, line => LineWritten?.Invoke(this, line));
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

    /// <summary>
    /// <c>kill -TERM</c>, as an orchestrator stopping a container does: the host shuts down gracefully. Returns its exit
    /// code once it exited; fails if it did not within <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var process = _process is { HasExited: false } running ? running : throw new InvalidOperationException($"{Name} is not running.");
        if (SendSignal(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"{Name}: kill -TERM {process.Id} failed.");
        }
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout} of SIGTERM. Its output:{Environment.NewLine}{RecentOutput}");
        }
        return process.ExitCode;
    }

    /// <summary>
    /// <c>kill -STOP</c>: the process stops running while its sockets stay open, and its kernel still acknowledges what
    /// peers send, as a hung machine's (or one behind a network that silently drops its packets) would: its peers get no
    /// error, and only the cluster's liveness notices. <see cref="KillAsync"/> ends it.
    /// </summary>
    public void Freeze()
    {
        var process = _process is { HasExited: false } running ? running : throw new InvalidOperationException($"{Name} is not running.");
        if (SendSignal(process.Id, SigStop) != 0)
        {
            throw new InvalidOperationException($"{Name}: kill -STOP {process.Id} failed.");
        }
    }

    private const int SigTerm = 15;
    private const int SigStop = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public virtual async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The environment of a silo of a Redis cluster on loopback: cluster, ports, liveness and the deployment assembly,
    /// with quiet single-line console logs (Serve at Information, for the active line) and workstation GC (several
    /// processes share the machine's cores). Callers add or override what their runs need.
    /// </summary>
    public static Dictionary<string, string> ClusterEnvironment(string redis, string clusterId, int siloPort, int gatewayPort, string liveness, string assembly) => new()
    {
        ["Serve__Cluster__Mode"] = "Redis",
        ["Serve__Cluster__RedisConnectionString"] = redis,
        ["Serve__Cluster__ClusterId"] = clusterId,
        ["Serve__Cluster__ServiceId"] = clusterId,
        ["Serve__Cluster__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Serve__Cluster__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Serve__Cluster__AdvertisedAddress"] = "127.0.0.1",
        ["Serve__Cluster__Liveness"] = liveness,
        ["Serve__Assemblies__0"] = assembly,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Serve"] = "Information",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        ["DOTNET_gcServer"] = "0",
    };

    /// <summary>More readiness than the active line, polled until <paramref name="deadline"/>.</summary>
    protected virtual Task WaitUntilReadyAsync(DateTime deadline) => Task.CompletedTask;
}
