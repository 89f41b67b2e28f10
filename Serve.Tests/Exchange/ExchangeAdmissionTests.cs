using Serve.Exchange;

namespace Serve.Tests.Exchange;

public sealed class ExchangeAdmissionTests
{
    [Fact]
    public void TryAdmit_UpToMaxConnections_AdmitsThenRefusesUntilOneCloses()
    {
        var admission = new ExchangeAdmission(maxConnections: 2, maxHandshakes: 10);

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: false));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: false));
        Assert.Equal(ExchangeRefusal.TooManyConnections, admission.TryAdmit(handshake: false));
        Assert.Equal(2, admission.Open);

        admission.Closed();

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: false));
    }

    [Fact]
    public void TryAdmit_UpToMaxHandshakes_RefusesUntilOneEndsThoughConnectionsAreLeft()
    {
        var admission = new ExchangeAdmission(maxConnections: 10, maxHandshakes: 2);

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: true));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: true));
        Assert.Equal(ExchangeRefusal.TooManyHandshakes, admission.TryAdmit(handshake: true));
        Assert.Equal(2, admission.Handshaking);

        // The connection stays open once authenticated: only its handshake's slot comes back.
        admission.HandshakeEnded();

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: true));
        Assert.Equal(3, admission.Open);
    }

    [Fact]
    public void TryAdmit_RefusedOverEitherBound_HoldsNothing()
    {
        var admission = new ExchangeAdmission(maxConnections: 2, maxHandshakes: 1);
        admission.TryAdmit(handshake: true);

        Assert.Equal(ExchangeRefusal.TooManyHandshakes, admission.TryAdmit(handshake: true));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(handshake: false));
        Assert.Equal(ExchangeRefusal.TooManyConnections, admission.TryAdmit(handshake: true));

        Assert.Equal(2, admission.Open);
        Assert.Equal(1, admission.Handshaking);
    }

    [Fact]
    public void Closed_NoneOpen_Throws()
    {
        var admission = new ExchangeAdmission(1, 1);

        Assert.Throws<InvalidOperationException>(admission.Closed);
        Assert.Throws<InvalidOperationException>(admission.HandshakeEnded);
    }
}
