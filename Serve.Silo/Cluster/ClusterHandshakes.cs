using System.Net;
using Microsoft.AspNetCore.Connections;
using Serve.Exchange;

namespace Serve.Cluster;

/// <summary>
/// How many connections to a silo's Orleans ports (silo and client) may be in their TLS handshake at once: at most
/// <see cref="MaxHandshakes"/>, and <see cref="MaxHandshakesPerAddress"/> from one remote address (an IPv6 /64), as
/// the data plane bounds its own. Past either, a new connection is closed before its handshake, so a stranger who
/// reaches the port cannot take the process's file descriptors with connections that each wait 10 s for a handshake
/// that never comes (measured: 21,000 such connects in 12 s held 15,000 of a worker's 20,000). Connections whose
/// handshake succeeded are not counted: the silos and clients of the cluster are never refused by it.
/// </summary>
internal sealed class ClusterHandshakes
{
    /// <summary>Handshakes under way at once on the silo's Orleans ports: a cluster's silos and clients connect once and stay.</summary>
    public const int MaxHandshakes = ExchangeAdmission.DefaultMaxHandshakes;

    /// <summary>Handshakes under way at once from one address (IPv6: its /64).</summary>
    public const int MaxHandshakesPerAddress = ExchangeAdmission.DefaultMaxHandshakesPerAddress;

    private readonly ExchangeAdmission _admission = new(int.MaxValue, MaxHandshakes, MaxHandshakesPerAddress);

    /// <summary>Connections whose handshake is under way.</summary>
    public int Handshaking => _admission.Handshaking;

    /// <summary>Runs <paramref name="context"/> through <paramref name="next"/> (its TLS, then Orleans) if there is room for its handshake, else closes it.</summary>
    public async Task AdmitAsync(ConnectionContext context, ConnectionDelegate next, ClusterTlsRefusals refusals)
    {
        var address = (context.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        var refusal = _admission.TryAdmit(address, handshake: true);
        if (refusal != ExchangeRefusal.None)
        {
            refusals.RefusedBeforeHandshake(context, refusal == ExchangeRefusal.TooManyHandshakesFromAddress
                ? $"{MaxHandshakesPerAddress} handshakes from its address are under way already"
                : $"{MaxHandshakes} handshakes are under way already");
            context.Abort();
            return;
        }
        var slot = new Slot(_admission, address);
        context.Features.Set(slot);
        try
        {
            await next(context);
        }
        finally
        {
            slot.End();
            _admission.Closed();
        }
    }

    /// <summary>The handshake of <paramref name="context"/> succeeded: its slot is free for another.</summary>
    public static void Ended(ConnectionContext context) => context.Features.Get<Slot>()?.End();

    private sealed class Slot(ExchangeAdmission admission, IPAddress address)
    {
        private int _ended;

        public void End()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                admission.HandshakeEnded(address);
            }
        }
    }
}
