using Serve.Diagnostics;

namespace Serve.Tests.Diagnostics;

public sealed class RepeatedWarningTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryWarn_FailuresWithinAnInterval_FirstWarnsTheRestAreFoldedIntoTheNextWarning()
    {
        var warning = new RepeatedWarning(TimeSpan.FromMinutes(1));

        Assert.True(warning.TryWarn(Start, out var first));
        var later = Enumerable.Range(1, 1000).Select(i => warning.TryWarn(Start + TimeSpan.FromMilliseconds(50 * i), out _)).ToList();
        Assert.True(warning.TryWarn(Start + TimeSpan.FromMinutes(1), out var folded));
        Assert.False(warning.TryWarn(Start + TimeSpan.FromMinutes(1.5), out _));

        Assert.Equal(0, first);
        Assert.All(later, Assert.False);
        Assert.Equal(1000, folded);
    }

    [Fact]
    public void TryWarn_FailuresFurtherApartThanTheInterval_EachWarnsWithNothingFolded()
    {
        var warning = new RepeatedWarning(TimeSpan.FromSeconds(10));

        var warned = Enumerable.Range(0, 5).Select(i => (warning.TryWarn(Start + TimeSpan.FromSeconds(11 * i), out var folded), folded)).ToList();

        Assert.All(warned, w => Assert.Equal((true, 0L), w));
    }
}
