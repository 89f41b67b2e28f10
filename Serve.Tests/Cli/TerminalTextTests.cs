using Serve.Cli;

namespace Serve.Tests.Cli;

public sealed class TerminalTextTests
{
    [Fact]
    public void Printable_PlainText_Unchanged()
    {
        const string Text = "model 'résumé' not found:\n\tat line 3 → done";

        Assert.Equal(Text, TerminalText.Printable(Text));
    }

    [Theory]
    [InlineData("a\u001b[2Jb", @"a\u001B[2Jb")]
    [InlineData("title\u001b]0;owned\u0007", @"title\u001B]0;owned\u0007")]
    [InlineData("csi\u009b31m", @"csi\u009B31m")]
    [InlineData("del\u007f", @"del\u007F")]
    [InlineData("txt.exe\u202egnp", @"txt.exe\u202Egnp")]
    [InlineData("over\rwrite", "over\nwrite")]
    public void Printable_ControlsAndOverrides_WrittenOut(string text, string expected)
    {
        Assert.Equal(expected, TerminalText.Printable(text));
    }
}
