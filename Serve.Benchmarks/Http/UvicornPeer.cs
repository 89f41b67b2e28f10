using System.Diagnostics;
using System.Net.Sockets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// The peer: the same hello on Python's uvicorn + Starlette (Debian's python3-uvicorn and
/// python3-starlette), the web stack under Ray Serve's proxy, in one process like Ray's proxy.
/// </summary>
internal sealed class UvicornPeer : IAsyncDisposable
{
    private const string App = """
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        async def hello(request):
            return PlainTextResponse("Hello world!")

        app = Starlette(routes=[Route("/", hello)])
        """;

    private readonly Process _process;
    private readonly string _directory;

    private UvicornPeer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = $"http://127.0.0.1:{port}/";
    }

    public string Url { get; }

    /// <summary>CPU time uvicorn has used so far.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<UvicornPeer> StartAsync(int port)
    {
        var directory = Directory.CreateTempSubdirectory("serve-bench-uvicorn").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "hello.py"), App);
        var start = new ProcessStartInfo("/usr/bin/python3", $"-m uvicorn hello:app --host 127.0.0.1 --port {port} --log-level warning --no-access-log")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var peer = new UvicornPeer(process, directory, port);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"uvicorn exited: {await process.StandardError.ReadToEndAsync()} (install python3-uvicorn python3-starlette)");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, deadline.Token);
                return peer;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
