using Serve.Diagnostics;

namespace Serve.Tests.Diagnostics;

public sealed class EchoedInputTests
{
    [Fact]
    public void Cut_ShortValue_Unchanged()
    {
        var value = new string('a', EchoedInput.MaxLength);

        Assert.Same(value, EchoedInput.Cut(value));
    }

    [Fact]
    public void Cut_LongValue_FirstCharactersAndAnEllipsis()
    {
        Assert.Equal(new string('a', EchoedInput.MaxLength) + "…", EchoedInput.Cut(new string('a', 10_000)));
    }

    [Fact]
    public void Cut_SurrogatePairAtTheCut_NeverHalfOfIt()
    {
        var value = new string('a', EchoedInput.MaxLength - 1) + "😀" + new string('b', 50);

        var cut = EchoedInput.Cut(value);

        Assert.Equal(new string('a', EchoedInput.MaxLength - 1) + "…", cut);
    }
}
