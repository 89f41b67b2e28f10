namespace Serve.Tests.Packages;

/// <summary>
/// One <c>```csharp</c> block of the README, with where it stands: the last heading (<c>## ...</c>) or bold paragraph
/// opening (<c>**Test: local testing mode**</c>) before it, which is what says where its code goes.
/// </summary>
public sealed record ReadmeSnippet(string Section, string Code)
{
    /// <summary>The README's C# blocks, in order.</summary>
    public static IReadOnlyList<ReadmeSnippet> Parse(string readme)
    {
        var snippets = new List<ReadmeSnippet>();
        var section = "";
        List<string>? code = null;
        foreach (var line in readme.ReplaceLineEndings("\n").Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (code is not null)
            {
                if (trimmed.StartsWith("```", StringComparison.Ordinal))
                {
                    snippets.Add(new ReadmeSnippet(section, string.Join('\n', code) + "\n"));
                    code = null;
                }
                else
                {
                    code.Add(line);
                }
            }
            else if (trimmed.StartsWith("```csharp", StringComparison.Ordinal))
            {
                code = [];
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
            }
            else if (line.StartsWith("**", StringComparison.Ordinal) && line.IndexOf("**", 2, StringComparison.Ordinal) is > 2 and var end)
            {
                section = line[2..end].Trim();
            }
        }
        return snippets;
    }
}
