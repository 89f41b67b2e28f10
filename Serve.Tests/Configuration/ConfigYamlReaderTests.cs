using System.Text;
using Serve.Configuration;

namespace Serve.Tests.Configuration;

public sealed class ConfigYamlReaderTests
{
    private static (ConfigNode? Node, IReadOnlyList<string> Errors) Read(string text)
    {
        var problems = new ConfigProblems();
        var node = ConfigYaml.Read(text, problems);
        return (node, problems.Errors);
    }

    /// <summary>Ten levels of ten aliases each: 10^10 values once expanded.</summary>
    internal static string BillionLaughs(int levels = 10)
    {
        var text = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level < levels; level++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{level}: &l{level} [")
                .Append(string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10)))
                .Append("]\n");
        }
        return text.Append("applications: []\n").ToString();
    }

    [Fact]
    public void Read_AliasCycle_ReportsTheLineWithoutExpanding()
    {
        var (node, errors) = Read("http_options: {}\napplications: &a [*a]\n");

        Assert.Null(node);
        Assert.Equal(["applications[0]: line 2, column 19: the alias *a is inside the node its anchor names, so it would repeat itself forever."], errors);
    }

    [Fact]
    public void Read_BillionLaughs_StopsAtTheValueLimitNamingTheLine()
    {
        var (node, errors) = Read(BillionLaughs());

        Assert.Null(node);
        // Levels 0-2 hold 10 + 100 + 1,000 values (plus their lists); the alias that passes 10,000 is on level 3's line.
        Assert.Equal(["l3[7]: line 4, column 45: the config holds more than 10,000 values (each use of an alias counts every value it repeats)."], errors);
    }

    [Fact]
    public void Read_AliasesWithinBounds_RepeatTheirValue()
    {
        var (node, errors) = Read("base: &cfg {threshold: 0.5, words: [a, b]}\nother: *cfg\nkey: &k name\n*k : 3\n");

        Assert.Empty(errors);
        Assert.Equal("""{"base":{"threshold":0.5,"words":["a","b"]},"other":{"threshold":0.5,"words":["a","b"]},"key":"name","name":3}""", ConfigJson.Write(node!));
    }

    [Theory]
    [InlineData(ConfigYamlReader.MaxDepth, true)]
    [InlineData(ConfigYamlReader.MaxDepth + 1, false)]
    [InlineData(100_000, false)]
    public void Read_Nesting_AcceptedUpToTheDepthLimit(int depth, bool accepted)
    {
        var (node, errors) = Read(new string('[', depth) + new string(']', depth));

        Assert.Equal(accepted, node is not null);
        if (!accepted)
        {
            Assert.EndsWith($"line 1, column {ConfigYamlReader.MaxDepth + 1}: lists and mappings nest deeper than 64 levels.", Assert.Single(errors));
        }
    }

    [Fact]
    public void Read_AliasNestingPastTheDepthLimit_Refused()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var (node, errors) = Read($"a: &deep {deep}\nb: {new string('[', 30)}*deep{new string(']', 30)}\n");

        Assert.Null(node);
        Assert.Equal([$"b{string.Concat(Enumerable.Repeat("[0]", 30))}: line 2, column 34: the alias *deep nests lists and mappings deeper than 64 levels."], errors);
    }

    [Theory]
    [InlineData(ConfigYamlReader.MaxValues, true)]
    [InlineData(ConfigYamlReader.MaxValues + 1, false)]
    public void Read_Values_AcceptedUpToTheValueLimit(int values, bool accepted)
    {
        // A list of values - 1 items: values in all, the list included.
        var (node, errors) = Read("[" + string.Join(",", Enumerable.Repeat("1", values - 1)) + "]");

        Assert.Equal(accepted, node is not null);
        Assert.Equal(accepted ? 0 : 1, errors.Count);
    }

    [Fact]
    public void Read_UnknownAliasDuplicateAndComplexKeys_ReportedWithLines()
    {
        Assert.Equal(["a: line 1, column 4: the alias *nope has no anchor &nope before it."], Read("a: *nope\n").Errors);
        Assert.Equal(["config: line 2: the key 'a' appears twice in the mapping that starts on line 1."], Read("a: 1\na: 2\n").Errors);
        Assert.Equal(["config: line 1: a key must be plain text, not a list or a mapping."], Read("? [x]\n: 1\nb: 2\n").Errors);
    }
}
