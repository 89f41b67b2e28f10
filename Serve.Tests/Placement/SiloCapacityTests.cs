using Serve.Cluster;
using Serve.Placement;

namespace Serve.Tests.Placement;

public sealed class SiloCapacityTests
{
    [Fact]
    public void FromMetadata_WhatToMetadataWrote_SameCapacity()
    {
        var options = new ServeSiloOptions
        {
            HostsReplicas = false,
            Resources = new SiloResources { NumCpus = 3.5, NumGpus = 2, Memory = 1L << 33, Custom = new() { ["accelerator:a100"] = 2 } },
        };
        var capacity = SiloCapacity.From(options);

        var read = SiloCapacity.FromMetadata(capacity.ToMetadata())!;

        Assert.False(read.HostsReplicas);
        Assert.Equal(3.5, read.NumCpus);
        Assert.Equal(2, read.NumGpus);
        Assert.Equal(1L << 33, read.Memory);
        Assert.Equal(2, read.Custom["accelerator:a100"]);
    }

    [Fact]
    public void FromMetadata_DefaultOptions_CpusAndMemoryUnlimited()
    {
        var read = SiloCapacity.FromMetadata(SiloCapacity.From(new ServeSiloOptions()).ToMetadata())!;

        Assert.True(read.HostsReplicas);
        Assert.True(double.IsPositiveInfinity(read.NumCpus));
        Assert.Equal(long.MaxValue, read.Memory);
        Assert.Equal(0, read.NumGpus);
    }

    [Fact]
    public void FromMetadata_NoServeKeys_Null()
    {
        Assert.Null(SiloCapacity.FromMetadata(new Dictionary<string, string> { ["zone"] = "a" }));
    }
}
