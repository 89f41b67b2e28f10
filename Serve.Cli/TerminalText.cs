using System.Globalization;
using System.Text;

namespace Serve.Cli;

/// <summary>
/// Text from the cluster made safe to print on a terminal: what a deployment throws (its status message), its names,
/// choose their characters, and an escape sequence among them would be obeyed by the terminal (clear the screen, retitle
/// the window, hide or overwrite lines, write the clipboard). Control characters (C0 but line feed and tab, DEL, C1) and
/// the bidirectional overrides that reorder what is shown are written out as <c>\u001B</c>; line endings become line feeds.
/// </summary>
internal static class TerminalText
{
    public static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001F') && !text.AsSpan().ContainsAnyInRange('\u007F', '\u009F')
            && !text.AsSpan().ContainsAnyInRange('\u202A', '\u202E') && !text.AsSpan().ContainsAnyInRange('\u2066', '\u2069'))
        {
            return text;
        }
        var printable = new StringBuilder(text.Length + 16);
        foreach (var c in text.ReplaceLineEndings("\n"))
        {
            if (c is '\n' or '\t' || !(char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
            {
                printable.Append(c);
            }
            else
            {
                printable.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }
        return printable.ToString();
    }
}
