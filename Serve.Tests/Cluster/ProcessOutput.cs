using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serve.Tests.Cluster;

/// <summary>
/// Reads a child process's stdout and stderr line by line (so its pipes never fill), keeps the last lines
/// for error messages, and lets a test wait for a line instead of sleeping.
/// </summary>
public sealed class ProcessOutput
{
    private const int KeptLines = 400;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly string _name;
    private readonly Action<string>? _onLine;
    private bool _exited;

    /// <param name="onLine">Told every line as it arrives (a test that tallies a run's log), on the reading thread.</param>
    public ProcessOutput(Process process, string name, Action<string>? onLine = null)
    {
        _name = name;
        _onLine = onLine;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => OnExited(process);
    }

    /// <summary>The last lines written, for failure messages.</summary>
    public string Recent => string.Join(Environment.NewLine, _lines);

    /// <summary>Completes with the first line (from now on, or already kept) matching; fails if the process exits first or the time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }
            if (_exited)
            {
                throw new InvalidOperationException($"{_name} exited before writing the awaited line. Its output:{Environment.NewLine}{Recent}");
            }
            _waiters.Add((match, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} did not write the awaited line within {timeout}. Its output:{Environment.NewLine}{Recent}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Found == found);
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _onLine?.Invoke(line);
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
            {
            }
            foreach (var waiter in _waiters.Where(w => w.Match(line)))
            {
                waiter.Found.TrySetResult(line);
            }
        }
    }

    private void OnExited(Process process)
    {
        // Output still buffered is delivered before WaitForExit returns.
        process.WaitForExit();
        lock (_gate)
        {
            _exited = true;
            foreach (var waiter in _waiters)
            {
                waiter.Found.TrySetException(new InvalidOperationException($"{_name} exited (code {process.ExitCode}) before writing the awaited line. Its output:{Environment.NewLine}{Recent}"));
            }
        }
    }
}
