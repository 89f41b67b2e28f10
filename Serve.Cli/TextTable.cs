using System.Text;

namespace Serve.Cli;

/// <summary>A plain-text table with a header row and columns padded to their widest cell.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    /// <summary>A row; each cell on one line, printable (<see cref="TerminalText"/>): cells hold what the cluster says.</summary>
    public void Add(params string[] cells) => _rows.Add([.. cells.Select(cell => TerminalText.Printable(cell.ReplaceLineEndings(" ")))]);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows.Prepend(headers))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
        return text.ToString();
    }
}
