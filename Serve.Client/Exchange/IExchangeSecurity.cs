namespace Serve.Exchange;

/// <summary>
/// What protects a data-plane connection: in a cluster with TLS, mutual TLS with the cluster's certificate, each end
/// accepting only a peer whose certificate chains to the cluster's CA. Absent (no registration), connections are plain
/// TCP, as open as the cluster's Orleans ports.
/// </summary>
internal interface IExchangeSecurity
{
    /// <summary>The router's end: authenticates the silo at <paramref name="endpoint"/> and itself to it.</summary>
    Task<Stream> ConnectAsync(Stream transport, string endpoint, CancellationToken cancellationToken);

    /// <summary>The silo's end: authenticates itself and the router that connected.</summary>
    Task<Stream> AcceptAsync(Stream transport, CancellationToken cancellationToken);
}
