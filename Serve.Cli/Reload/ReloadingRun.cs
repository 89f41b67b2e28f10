using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Serve.Cli.Reload;

/// <summary>
/// <c>serve run --reload</c>: runs <c>serve run</c> (the same command line, without <c>--reload</c>) as a child process
/// and starts it again whenever a watched file changes (<see cref="ReloadWatchSet"/>), once the files have been quiet for
/// <see cref="QuietPeriod"/> (a build writes several). A deployment's classes load into their process for good, so new code
/// needs a new process; the child is stopped as Ctrl+C stops it, gracefully. A child that exits by itself (a start that
/// failed, a build half written) is started again at the next change. Ctrl+C stops the child and ends.
/// </summary>
internal static class ReloadingRun
{
    /// <summary>How long the watched files must stay unchanged before the restart.</summary>
    internal static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a stopping child may take to stop its cluster before it is killed.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(ReloadWatchSet watched, IReadOnlyList<string> arguments, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        // Not single-reader: a wait for a change is left pending when the child exits first, and the next loop waits again.
        var changes = Channel.CreateUnbounded<string>();
        var watchers = watched.Directories.Select(directory => Watch(directory, watched, changes.Writer)).ToList();
        await console.Out.WriteLineAsync($"serve run --reload: watching {string.Join(", ", watched.Directories)}; Serve starts again when a build or the config changes them.");
        var child = Start(arguments);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var changed = changes.Reader.WaitToReadAsync(cancellationToken).AsTask();
                var exited = child?.WaitForExitAsync(cancellationToken) ?? Task.Delay(Timeout.Infinite, cancellationToken);
                await Task.WhenAny(changed, exited);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                if (!changed.IsCompleted)
                {
                    await console.Error.WriteLineAsync($"serve run --reload: Serve exited (code {child!.ExitCode}); it starts again when a watched file changes.");
                    child.Dispose();
                    child = null;
                    continue;
                }
                var paths = new SortedSet<string>(StringComparer.Ordinal);
                do
                {
                    while (changes.Reader.TryRead(out var path))
                    {
                        paths.Add(Path.GetFileName(path));
                    }
                }
                while (await MoreWithinAsync(changes.Reader, time, cancellationToken));
                await console.Out.WriteLineAsync($"serve run --reload: {string.Join(", ", paths)} changed; restarting Serve.");
                if (child is not null)
                {
                    await StopAsync(child);
                    child.Dispose();
                }
                child = Start(arguments);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }
            if (child is not null)
            {
                await StopAsync(child);
                child.Dispose();
            }
        }
        return ExitCodes.Ok;
    }

    /// <summary>Whether another change comes within <see cref="QuietPeriod"/>.</summary>
    private static async Task<bool> MoreWithinAsync(ChannelReader<string> changes, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await changes.WaitToReadAsync(cancellationToken).AsTask().WaitAsync(QuietPeriod, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static FileSystemWatcher Watch(string directory, ReloadWatchSet watched, ChannelWriter<string> changes)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        void Changed(object? sender, FileSystemEventArgs e)
        {
            if (watched.Matches(e.FullPath))
            {
                changes.TryWrite(e.FullPath);
            }
        }
        watcher.Changed += Changed;
        watcher.Created += Changed;
        watcher.Renamed += Changed;
        // Too many changes at once to tell them apart: a build, surely.
        watcher.Error += (_, _) => changes.TryWrite(Path.Combine(directory, "*"));
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>This same command, as a process of its own: its apphost, or <c>dotnet</c> with its assembly.</summary>
    private static Process Start(IReadOnlyList<string> arguments)
    {
        var host = Environment.ProcessPath ?? throw new CliException("--reload: this process's executable is unknown, so it cannot start Serve again.", ExitCodes.Failed);
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ReloadingRun).Assembly.Location);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new CliException($"--reload: '{host}' did not start.", ExitCodes.Failed);
    }

    /// <summary>Stops <paramref name="child"/> as Ctrl+C would (SIGTERM), and kills it if its cluster has not stopped within <see cref="StopTimeout"/>.</summary>
    private static async Task StopAsync(Process child)
    {
        if (child.HasExited)
        {
            return;
        }
        if (OperatingSystem.IsWindows() || SendSignal(child.Id, SigTerm) != 0)
        {
            child.Kill(entireProcessTree: true);
        }
        try
        {
            await child.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", ExactSpelling = true, SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
