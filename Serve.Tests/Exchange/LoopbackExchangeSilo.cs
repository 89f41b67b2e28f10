using System.Net;
using System.Net.Sockets;
using Serve.Exchange;

namespace Serve.Tests.Exchange;

/// <summary>
/// A silo's end of the data plane for tests, on a loopback port: each connection is served by the
/// <see cref="ExchangeServerConnection"/> <c>serve</c> makes of its stream and peer, with no time limit to open (the
/// listener's tests hold that one), until <see cref="StopAsync"/>.
/// </summary>
internal sealed class LoopbackExchangeSilo : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _serving = [];
    private readonly Func<Stream, string, ExchangeServerConnection> _serve;

    public LoopbackExchangeSilo(Func<Stream, string, ExchangeServerConnection> serve)
    {
        _serve = serve;
        _listener.Start();
        _ = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Ends every connection, as a silo stopping does.</summary>
    public Task StopAsync() => _stopping.CancelAsync();

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var connection = _serve(new NetworkStream(socket, ownsSocket: true), socket.RemoteEndPoint!.ToString()!);
            lock (_serving)
            {
                _serving.Add(connection.RunAsync(CancellationToken.None, _stopping.Token));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Task[] serving;
        lock (_serving)
        {
            serving = [.. _serving];
        }
        await Task.WhenAll(serving).WaitAsync(ExchangeTestWaits.Patience);
    }
}
