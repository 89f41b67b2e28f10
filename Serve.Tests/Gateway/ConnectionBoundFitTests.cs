using Serve.Hosting;

namespace Serve.Tests.Gateway;

public sealed class ConnectionBoundFitTests
{
    [Fact]
    public void PerPort_LimitHoldsEveryPortFull_Configured()
    {
        Assert.Equal(10_000, ConnectionBoundFit.PerPort(10_000, 1_048_576));
    }

    [Fact]
    public void PerPort_LimitBelowThreePortsFull_ShareAfterTheReserve()
    {
        // This machine's 20,000: three ports of 10,000 could take every file, and a flood of two of them killed the gateway.
        Assert.Equal((20_000 - ConnectionBoundFit.Reserve) / ConnectionBoundFit.Ports, ConnectionBoundFit.PerPort(10_000, 20_000));
    }

    [Fact]
    public void PerPort_SmallLimit_HalfKeptForTheRestAndAtLeastOne()
    {
        Assert.Equal(512 / 3, ConnectionBoundFit.PerPort(10_000, 1024));
        Assert.Equal(1, ConnectionBoundFit.PerPort(10_000, 2));
    }

    [Fact]
    public void PerPort_NoBoundOrUnknownLimit_Unchanged()
    {
        Assert.Null(ConnectionBoundFit.PerPort(null, 20_000));
        Assert.Equal(10_000, ConnectionBoundFit.PerPort(10_000, null));
    }

    [Fact]
    public void PerAddress_OverThePortsFittedBound_LoweredToIt()
    {
        Assert.Equal(100, ConnectionBoundFit.PerAddress(500, 100));
        Assert.Equal(50, ConnectionBoundFit.PerAddress(50, 100));
        Assert.Null(ConnectionBoundFit.PerAddress(null, 100));
    }

    [Fact]
    public void Parse_ProcLimits_SoftMaxOpenFiles()
    {
        const string limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             96362                96362                processes
            Max open files            20000                40000                files
            Max locked memory         8388608              8388608              bytes
            """;

        Assert.Equal(20_000, OpenFileLimit.Parse(limits));
    }

    [Fact]
    public void Parse_UnlimitedOrMissing_Null()
    {
        Assert.Null(OpenFileLimit.Parse("Max open files            unlimited            unlimited            files\n"));
        Assert.Null(OpenFileLimit.Parse("Max processes             96362                96362                processes\n"));
    }

    [Fact]
    public void OfThisProcess_OnLinux_TheLimitUlimitReports()
    {
        // Linux says it in /proc/self/limits (unlimited would be null: no test machine runs so); elsewhere it is not known.
        Assert.Equal(OperatingSystem.IsLinux(), OpenFileLimit.OfThisProcess().Value is > 0);
    }
}
