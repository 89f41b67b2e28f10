using Serve.Replicas;

namespace Serve.Tests.Replicas;

/// <summary>A call by name that leaves off arguments its deployment's interface gives defaults for.</summary>
public sealed class MethodTableDefaultsTests
{
    [Fact]
    public async Task Find_ArgumentOnlyTheInterfaceDefaults_LeftOffTakesInterfaceDefault()
    {
        var add = MethodTable.For(typeof(Defaulted)).Find("Add", 1);

        Assert.Equal(6, await add.InvokeAsync(new Defaulted(), [1], CancellationToken.None));
        Assert.Equal(3, await add.InvokeAsync(new Defaulted(), [1, 2], CancellationToken.None));
    }

    [Fact]
    public async Task Find_ClassAndInterfaceDefaultDiffer_ClassDefaultWins()
    {
        var label = MethodTable.For(typeof(Defaulted)).Find("LabelAsync", 1);

        Assert.Equal("hi?", await label.InvokeAsync(new Defaulted(), ["hi"], CancellationToken.None));
    }

    [Fact]
    public void Find_RequiredArgumentMissing_NamesTheCounts()
    {
        var error = Assert.Throws<MissingMethodException>(() => MethodTable.For(typeof(Defaulted)).Find("Add", 0));

        Assert.Contains("Defaulted.Add takes 2 argument(s), not 0", error.Message);
    }
}
