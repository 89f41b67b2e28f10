using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Serve.Admin;
using Serve.Hosting;

namespace Serve.Tests.Admin;

public sealed class AuthFailureLimiterTests
{
    private static readonly IPAddress Guesser = IPAddress.Parse("203.0.113.7");
    private readonly FakeTimeProvider _time = new();

    private AuthFailureLimiter Create(int limit) => new(Options.Create(new ServeAdminOptions { MaxFailedAuthentications = limit }), _time);

    [Fact]
    public void RetryAfter_FewerFailuresThanTheLimit_IsNull()
    {
        var limiter = Create(3);

        limiter.Failed(Guesser);
        limiter.Failed(Guesser);

        Assert.Null(limiter.RetryAfter(Guesser));
    }

    [Fact]
    public void RetryAfter_LimitReached_IsTheRestOfTheWindowForThatAddressOnly()
    {
        var limiter = Create(3);
        limiter.Failed(Guesser);
        _time.Advance(TimeSpan.FromSeconds(20));
        limiter.Failed(Guesser);
        Assert.Equal(3, limiter.Failed(Guesser));

        Assert.Equal(AuthFailureLimiter.Window - TimeSpan.FromSeconds(20), limiter.RetryAfter(Guesser));
        Assert.Null(limiter.RetryAfter(IPAddress.Loopback));
    }

    [Fact]
    public void RetryAfter_WindowOver_IsNullAndCountingStartsAgain()
    {
        var limiter = Create(2);
        limiter.Failed(Guesser);
        limiter.Failed(Guesser);

        _time.Advance(AuthFailureLimiter.Window);

        Assert.Null(limiter.RetryAfter(Guesser));
        Assert.Equal(1, limiter.Failed(Guesser));
    }

    [Fact]
    public void RetryAfter_IPv4MappedAddress_CountsAsTheIPv4Address()
    {
        var limiter = Create(2);
        limiter.Failed(Guesser);
        limiter.Failed(Guesser.MapToIPv6());

        Assert.NotNull(limiter.RetryAfter(Guesser));
    }

    [Fact]
    public void RetryAfter_DistinctAddressesInOneIPv6Slash64_CountedTogetherWhileAnotherSlash64IsNot()
    {
        var limiter = Create(3);
        limiter.Failed(IPAddress.Parse("2001:db8:1:2::1"));
        limiter.Failed(IPAddress.Parse("2001:db8:1:2::2"));

        Assert.Equal(3, limiter.Failed(IPAddress.Parse("2001:db8:1:2:ffff::3")));
        Assert.NotNull(limiter.RetryAfter(IPAddress.Parse("2001:db8:1:2::4")));
        Assert.Null(limiter.RetryAfter(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void RetryAfter_LimitZero_NeverRefuses()
    {
        var limiter = Create(0);
        for (var i = 0; i < 100; i++)
        {
            limiter.Failed(Guesser);
        }

        Assert.Null(limiter.RetryAfter(Guesser));
    }

    [Fact]
    public void Failed_MoreAddressesThanTracked_NewOnesShareOneCount()
    {
        var limiter = Create(2);
        for (var i = 0; i < AuthFailureLimiter.MaxTracked; i++)
        {
            limiter.Failed(new IPAddress(0x0A000000u + (uint)i));
        }

        limiter.Failed(IPAddress.Parse("198.51.100.1"));
        limiter.Failed(IPAddress.Parse("198.51.100.2"));

        Assert.NotNull(limiter.RetryAfter(IPAddress.Parse("198.51.100.3")));
        Assert.Null(limiter.RetryAfter(new IPAddress(0x0A000001u)));
    }

    [Fact]
    public void Failed_TrackedAddressesExpired_PrunedToMakeRoom()
    {
        var limiter = Create(2);
        for (var i = 0; i < AuthFailureLimiter.MaxTracked; i++)
        {
            limiter.Failed(new IPAddress(0x0A000000u + (uint)i));
        }
        _time.Advance(AuthFailureLimiter.Window);

        limiter.Failed(IPAddress.Parse("198.51.100.1"));
        limiter.Failed(IPAddress.Parse("198.51.100.1"));

        Assert.NotNull(limiter.RetryAfter(IPAddress.Parse("198.51.100.1")));
        Assert.Null(limiter.RetryAfter(IPAddress.Parse("198.51.100.3")));
    }
}
