using System.Net;
using Serve.Exchange;

namespace Serve.Tests.Exchange;

public sealed class ExchangeAdmissionTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    [Fact]
    public void TryAdmit_UpToMaxConnections_AdmitsThenRefusesUntilOneCloses()
    {
        var admission = new ExchangeAdmission(maxConnections: 2, maxHandshakes: 10, maxHandshakesPerAddress: 10);

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: false));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: false));
        Assert.Equal(ExchangeRefusal.TooManyConnections, admission.TryAdmit(B, handshake: false));
        Assert.Equal(2, admission.Open);

        admission.Closed();

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: false));
    }

    [Fact]
    public void TryAdmit_UpToMaxHandshakes_RefusesUntilOneEndsThoughConnectionsAreLeft()
    {
        var admission = new ExchangeAdmission(maxConnections: 10, maxHandshakes: 2, maxHandshakesPerAddress: 2);

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: true));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(B, handshake: true));
        Assert.Equal(ExchangeRefusal.TooManyHandshakes, admission.TryAdmit(IPAddress.Parse("10.0.0.3"), handshake: true));
        Assert.Equal(2, admission.Handshaking);

        // The connection stays open once authenticated: only its handshake's slot comes back.
        admission.HandshakeEnded(A);

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: true));
        Assert.Equal(3, admission.Open);
    }

    [Fact]
    public void TryAdmit_UpToMaxHandshakesPerAddress_RefusesThatAddressOnlyUntilOneOfItsEnds()
    {
        var admission = new ExchangeAdmission(maxConnections: 10, maxHandshakes: 5, maxHandshakesPerAddress: 2);
        admission.TryAdmit(A, handshake: true);
        admission.TryAdmit(A, handshake: true);

        Assert.Equal(ExchangeRefusal.TooManyHandshakesFromAddress, admission.TryAdmit(A, handshake: true));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(B, handshake: true));
        // Without a handshake (plain TCP) the address is not counted.
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: false));
        Assert.Equal(2, admission.HandshakingFrom(A));
        Assert.Equal(3, admission.Handshaking);

        // Another address's handshake ending frees nothing of A's.
        admission.HandshakeEnded(B);
        Assert.Equal(ExchangeRefusal.TooManyHandshakesFromAddress, admission.TryAdmit(A, handshake: true));
        admission.HandshakeEnded(A);

        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(A, handshake: true));
    }

    [Fact]
    public void TryAdmit_AddressOverItsShareWhileAllAreTaken_RefusedForItsShare()
    {
        var admission = new ExchangeAdmission(maxConnections: 10, maxHandshakes: 2, maxHandshakesPerAddress: 2);
        admission.TryAdmit(A, handshake: true);
        admission.TryAdmit(A, handshake: true);

        Assert.Equal(ExchangeRefusal.TooManyHandshakesFromAddress, admission.TryAdmit(A, handshake: true));
        Assert.Equal(ExchangeRefusal.TooManyHandshakes, admission.TryAdmit(B, handshake: true));
    }

    [Fact]
    public void TryAdmit_V4MappedToV6_CountedAsTheV4Address()
    {
        var admission = new ExchangeAdmission(maxConnections: 10, maxHandshakes: 5, maxHandshakesPerAddress: 1);
        admission.TryAdmit(A, handshake: true);

        Assert.Equal(ExchangeRefusal.TooManyHandshakesFromAddress, admission.TryAdmit(A.MapToIPv6(), handshake: true));
        admission.HandshakeEnded(A.MapToIPv6());
        Assert.Equal(0, admission.HandshakingFrom(A));
    }

    [Fact]
    public void TryAdmit_DistinctAddressesInOneIPv6Slash64_RefusedPastItsShareWhileAnotherSlash64IsAdmitted()
    {
        var admission = new ExchangeAdmission(maxConnections: 20, maxHandshakes: 10, maxHandshakesPerAddress: 3);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(IPAddress.Parse($"2001:db8:1:2::{i}"), handshake: true));
        }

        Assert.Equal(ExchangeRefusal.TooManyHandshakesFromAddress, admission.TryAdmit(IPAddress.Parse("2001:db8:1:2:ffff::4"), handshake: true));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(IPAddress.Parse("2001:db8:1:3::1"), handshake: true));
        Assert.Equal(3, admission.HandshakingFrom(IPAddress.Parse("2001:db8:1:2::abcd")));

        // Any address of the /64 frees a slot of its share.
        admission.HandshakeEnded(IPAddress.Parse("2001:db8:1:2::2"));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(IPAddress.Parse("2001:db8:1:2::5"), handshake: true));
    }

    [Fact]
    public void TryAdmit_RefusedOverEitherBound_HoldsNothing()
    {
        var admission = new ExchangeAdmission(maxConnections: 2, maxHandshakes: 1, maxHandshakesPerAddress: 1);
        admission.TryAdmit(A, handshake: true);

        Assert.Equal(ExchangeRefusal.TooManyHandshakes, admission.TryAdmit(B, handshake: true));
        Assert.Equal(ExchangeRefusal.TooManyHandshakesFromAddress, admission.TryAdmit(A, handshake: true));
        Assert.Equal(ExchangeRefusal.None, admission.TryAdmit(B, handshake: false));
        Assert.Equal(ExchangeRefusal.TooManyConnections, admission.TryAdmit(B, handshake: true));

        Assert.Equal(2, admission.Open);
        Assert.Equal(1, admission.Handshaking);
        Assert.Equal(0, admission.HandshakingFrom(B));
    }

    [Fact]
    public void Closed_NoneOpen_Throws()
    {
        var admission = new ExchangeAdmission(1, 1, 1);

        Assert.Throws<InvalidOperationException>(admission.Closed);
        Assert.Throws<InvalidOperationException>(() => admission.HandshakeEnded(A));
    }

    [Fact]
    public void Constructor_PerAddressOverTheGlobalBound_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExchangeAdmission(10, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExchangeAdmission(10, 2, 0));
    }
}
