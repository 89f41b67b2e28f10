using System.Net;
using Serve.Exchange;

namespace Serve.Tests.Exchange;

public sealed class AddressGroupTests
{
    [Fact]
    public void Of_TwoAddressesInOneIPv6Slash64_SameGroupNamedByItsPrefix()
    {
        var low = AddressGroup.Of(IPAddress.Parse("2001:db8:1:2::5"));
        var high = AddressGroup.Of(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff"));

        Assert.Equal(low, high);
        Assert.Equal(low.GetHashCode(), high.GetHashCode());
        Assert.Equal(IPAddress.Parse("2001:db8:1:2::"), low.Address);
        Assert.Equal(64, low.PrefixLength);
        Assert.True(low.IsPrefix);
        Assert.Equal("2001:db8:1:2::/64", low.ToString());
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1")] // the last bit of the prefix
    [InlineData("2001:db8:1:2::1", "2001:db9:1:2::1")]
    [InlineData("2001:db8:1:2::1", "3001:db8:1:2::1")]
    public void Of_AddressesInDifferentIPv6Slash64s_DifferentGroups(string one, string other) =>
        Assert.NotEqual(AddressGroup.Of(IPAddress.Parse(one)), AddressGroup.Of(IPAddress.Parse(other)));

    [Fact]
    public void Of_IPv4MappedToIPv6_SameGroupAsTheIPv4Address()
    {
        var v4 = IPAddress.Parse("10.0.0.1");

        var mapped = AddressGroup.Of(v4.MapToIPv6());

        Assert.Equal(AddressGroup.Of(v4), mapped);
        Assert.Equal(v4, mapped.Address);
        Assert.False(mapped.IsPrefix);
        Assert.Equal("10.0.0.1", mapped.ToString());
    }

    [Fact]
    public void Of_TwoIPv4AddressesInOneSubnet_EachItsOwnGroup()
    {
        var one = AddressGroup.Of(IPAddress.Parse("10.0.0.1"));
        var other = AddressGroup.Of(IPAddress.Parse("10.0.0.2"));

        Assert.NotEqual(one, other);
        Assert.Equal(32, one.PrefixLength);
    }

    [Fact]
    public void Of_LinkLocalOnDifferentInterfaces_ScopeIdIgnored()
    {
        var one = AddressGroup.Of(IPAddress.Parse("fe80::1%2"));
        var other = AddressGroup.Of(IPAddress.Parse("fe80::fc:ff:fe00:1%3"));

        Assert.Equal(one, other);
        Assert.Equal(0, one.Address.ScopeId);
        Assert.Equal("fe80::/64", one.ToString());
    }

    [Fact]
    public void Of_IPv6Loopback_StaysItselfWithoutScopeId()
    {
        var loopback = AddressGroup.Of(IPAddress.IPv6Loopback);

        Assert.Equal(loopback, AddressGroup.Of(IPAddress.Parse("::1%1")));
        Assert.Equal(IPAddress.IPv6Loopback, loopback.Address);
        Assert.Equal(128, loopback.PrefixLength);
        Assert.False(loopback.IsPrefix);
        Assert.Equal("::1", loopback.ToString());
        // Not the /64 it is in: ::/64 holds no one else who connects.
        Assert.NotEqual(AddressGroup.Of(IPAddress.Parse("::2")), loopback);
    }
}
