using System.Diagnostics;
using System.Globalization;

namespace Serve.Benchmarks.Http;

/// <summary>
/// The http benchmark's two-machine emulation (<c>--pin</c>): the benchmark runs again as a child under
/// <c>taskset -c 0</c>, so the gateway process (and wrk and the throwaway redis-server, which it starts and which inherit
/// its affinity) have core 0 alone from their first instruction: the runtime sizes its thread pool, GC and socket queues
/// for one core, as on a one-core machine. The remote row's worker silo is then moved to core 1 (<see cref="MoveAsync"/>),
/// the "other machine". Local rows thus serve from core 0 only, and the remote row's req/s is what the gateway's core serves
/// when its replica runs elsewhere, not the sum of two processes sharing both cores.
/// </summary>
internal static class CorePinning
{
    private const string PinnedVariable = "SERVE_BENCH_PINNED";

    /// <summary>The gateway's, wrk's and redis-server's core.</summary>
    public const int GatewayCore = 0;

    /// <summary>The remote worker silo's core: the other machine.</summary>
    public const int WorkerCore = 1;

    /// <summary>True in the child that runs pinned.</summary>
    public static bool IsPinned => Environment.GetEnvironmentVariable(PinnedVariable) == "1";

    /// <summary>
    /// Runs this process's own command line again under <c>taskset -c 0</c> (read from /proc/self/cmdline, so it works
    /// however the benchmark was started) and returns the child's exit code; its output is this process's.
    /// </summary>
    public static async Task<int> RunPinnedAsync()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2)
        {
            Console.Error.WriteLine($"--pin needs Linux and two cores at least (this is {Environment.OSVersion}, {Environment.ProcessorCount} core(s)).");
            return 2;
        }
        var commandLine = (await File.ReadAllTextAsync("/proc/self/cmdline")).TrimEnd('\0').Split('\0');
        var start = new ProcessStartInfo("taskset") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(GatewayCore.ToString(CultureInfo.InvariantCulture));
        foreach (var argument in commandLine)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[PinnedVariable] = "1";
        using var child = StartOrExplain(start);
        await child.WaitForExitAsync();
        return child.ExitCode;
    }

    /// <summary>Moves every thread of process <paramref name="processId"/> to <paramref name="core"/>; threads it starts later inherit it.</summary>
    public static async Task MoveAsync(int processId, int core)
    {
        var start = new ProcessStartInfo("taskset") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-a", "-p", "-c", core.ToString(CultureInfo.InvariantCulture), processId.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }
        using var taskset = StartOrExplain(start);
        var output = await taskset.StandardOutput.ReadToEndAsync();
        var error = await taskset.StandardError.ReadToEndAsync();
        await taskset.WaitForExitAsync();
        if (taskset.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset could not move process {processId} to core {core} ({taskset.ExitCode}): {error}{output}");
        }
    }

    private static Process StartOrExplain(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("taskset did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"--pin needs taskset (apt-get install util-linux): {e.Message}", e);
        }
    }
}
