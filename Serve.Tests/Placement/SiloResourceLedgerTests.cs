using Microsoft.Extensions.DependencyInjection;
using Serve.Placement;

namespace Serve.Tests.Placement;

/// <summary>A silo's ledger: once the silo begins its graceful stop, it takes no new replica.</summary>
public sealed class SiloResourceLedgerTests
{
    private readonly SiloResourceLedger _ledger = new(new ServiceCollection().BuildServiceProvider(), new LocalSilo());

    private static ReplicaResources Demand => new() { NumCpus = 1 };

    [Fact]
    public void TryTake_SiloStopping_RefusedNamingItAndHeldReplicaKeepsItsShare()
    {
        Assert.True(_ledger.TryTake("app/Model#1", "app/Model", Demand, out _));

        _ledger.BeginStopping();

        Assert.True(_ledger.Stopping);
        Assert.False(_ledger.TryTake("app/Model#2", "app/Model", Demand, out var shortage));
        Assert.Equal($"silo {LocalSilo.Address} is stopping", shortage);
        // A retried start of a replica already here is no new one.
        Assert.True(_ledger.TryTake("app/Model#1", "app/Model", Demand, out _));
        Assert.Single(_ledger.Snapshot());
    }

    [Fact]
    public void TryTake_SiloNotStopping_Taken()
    {
        Assert.False(_ledger.Stopping);
        Assert.True(_ledger.TryTake("app/Model#1", "app/Model", Demand, out var shortage));
        Assert.Equal("", shortage);
    }

    private sealed class LocalSilo : ILocalSiloDetails
    {
        public static readonly SiloAddress Address = SiloAddress.FromParsableString("127.0.0.1:11112@1");

        public string Name => "test";

        public string ClusterId => "test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => Address;

        public SiloAddress GatewayAddress => Address;
    }
}
