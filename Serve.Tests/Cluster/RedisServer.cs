using System.ComponentModel;
using System.Diagnostics;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Cluster;

/// <summary>
/// A throwaway redis-server on a free loopback port: its own temporary directory, nothing saved to disk,
/// killed and deleted on dispose. Installs nothing: ./test.sh installs redis-server when it is missing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(TimeSpan timeout)
    {
        var port = FreePorts.Take(1)[0];
        var directory = Directory.CreateTempSubdirectory("serve-redis-").FullName;
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException(
                "redis-server is not installed, and the multi-process cluster tests need a real Redis. Fix: run ./test.sh (it installs redis-server), or `apt-get install redis-server`.", e);
        }
        var output = new ProcessOutput(process, $"redis-server on port {port}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, port);
        try
        {
            await output.WaitForLineAsync(line => line.Contains("Ready to accept connections"), timeout);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>
    /// <c>kill -STOP</c>: the server stops answering but keeps its connections and its listening socket open, as a
    /// hung Redis (or one behind a stalled network) does: clients get no error, only timeouts.
    /// </summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary><c>kill -CONT</c>: the paused server answers again, its data intact.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", _process.Id.ToString() }, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
