using Serve.Control;

namespace Serve.Tests.Control;

public sealed class DeploymentStatusOrderTests
{
    private static readonly Guid First = Guid.NewGuid();
    private static readonly Guid Second = Guid.NewGuid();
    private readonly DeploymentStatusOrder _order = new();

    [Fact]
    public void Accept_OlderAfterNewer_Refused()
    {
        Assert.True(_order.Accept("app/d", First, 7));

        Assert.False(_order.Accept("app/d", First, 6));
        // The refused one did not lower what is kept.
        Assert.False(_order.Accept("app/d", First, 6));
        Assert.True(_order.Accept("app/d", First, 8));
    }

    [Fact]
    public void Accept_SameNumberAgain_Accepted()
    {
        // An answer repeating the status a report carried: folding it again restores it after a deploy's reset.
        Assert.True(_order.Accept("app/d", First, 7));

        Assert.True(_order.Accept("app/d", First, 7));
    }

    [Fact]
    public void Accept_AnotherActivation_AcceptedWhateverItsNumber()
    {
        Assert.True(_order.Accept("app/d", First, 7));

        // Re-activated: its numbers start again.
        Assert.True(_order.Accept("app/d", Second, 1));
        Assert.False(_order.Accept("app/d", Second, 0));
        Assert.True(_order.Accept("app/d", Second, 2));
    }

    [Fact]
    public void Accept_FirstOfADeployment_AcceptedWhateverOthersHold()
    {
        Assert.True(_order.Accept("app/a", First, 100));

        Assert.True(_order.Accept("app/b", First, 1));
        Assert.False(_order.Accept("app/a", First, 99));
    }

    [Fact]
    public void Forget_ThenAnOlderNumber_Accepted()
    {
        Assert.True(_order.Accept("app/d", First, 7));

        _order.Forget("app/d");

        Assert.True(_order.Accept("app/d", First, 3));
    }
}
