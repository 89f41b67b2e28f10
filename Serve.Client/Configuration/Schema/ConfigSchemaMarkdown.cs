using System.Text;

namespace Serve.Configuration.Schema;

/// <summary>The README's tables of config keys, written from <see cref="ConfigSchema"/> so the two never disagree.</summary>
internal static class ConfigSchemaMarkdown
{
    public const string Start = "<!-- config keys: written by `serve schema --markdown`; do not edit by hand -->";
    public const string End = "<!-- end of config keys -->";

    public static string Write()
    {
        var text = new StringBuilder().AppendLine(Start);
        foreach (var section in ConfigSchema.Sections)
        {
            text.AppendLine().AppendLine($"**`{section.Name}`** — {section.Doc}").AppendLine()
                .AppendLine("| key | value | default | Ray | what it does |")
                .AppendLine("|---|---|---|---|---|");
            foreach (var key in section.Keys)
            {
                text.AppendLine($"| `{key.Name}` | {Cell(key.TypeDescription)} | {Cell(key.Default)} | {Cell(key.Ray ?? "same")} | {Cell(key.Doc)} |");
            }
        }
        return text.AppendLine().Append(End).ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
