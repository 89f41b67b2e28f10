using System.Diagnostics;
using Serve.Tests.Cluster;

namespace Serve.Tests.Packages;

/// <summary>Runs <c>dotnet</c> (or another program) to completion in a private environment, returning its exit code and output.</summary>
public static class DotnetCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        using var process = Start(fileName, args, workingDirectory, environment, out var output);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within {timeout}. Its output:{Environment.NewLine}{output.Recent}");
        }
        // WaitForExitAsync returns once the output pipes are drained too.
        return (process.ExitCode, output.Recent);
    }

    /// <summary>Starts a long-running program (an app, serve run); the caller stops it.</summary>
    public static Process Start(string fileName, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, out ProcessOutput output)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // A child build must not inherit the MSBuild that runs these tests (dotnet test sets MSBuild* variables).
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        output = new ProcessOutput(process, Path.GetFileName(fileName));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
