using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Serve.Configuration;

/// <summary>
/// Builds a <see cref="ConfigNode"/> tree from YAML parser events, within bounds: at most <see cref="MaxDepth"/>
/// nested lists and mappings and <see cref="MaxValues"/> values, an alias counting every value it repeats each time
/// it is used. A file past a bound, or an alias to the node that holds it, is a problem naming its line, found
/// before any of it is expanded: no cycle, "billion laughs" or deep nesting can exhaust the stack, memory or time.
/// Works on the event stream with its own stack, so nothing here recurses however deep the text nests.
/// </summary>
internal sealed class ConfigYamlReader
{
    /// <summary>Lists and mappings inside each other, the root counting as one.</summary>
    public const int MaxDepth = 64;

    /// <summary>Values in the whole file (scalars, lists and mappings), aliases expanded.</summary>
    public const int MaxValues = 10_000;

    private const string StringTag = "tag:yaml.org,2002:str";

    private readonly ConfigProblems _problems;
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<Frame> _open = new();
    private int _values;

    private ConfigYamlReader(ConfigProblems problems) => _problems = problems;

    /// <summary>The tree of <paramref name="text"/>, or null when it is not YAML or is past a bound (the reason is in <paramref name="problems"/>).</summary>
    public static ConfigNode? Read(string text, ConfigProblems problems) => new ConfigYamlReader(problems).Read(text);

    private ConfigNode? Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        ConfigNode? root = null;
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        documents++;
                        break;
                    case NodeEvent or AnchorAlias or SequenceEnd or MappingEnd when documents == 1:
                        if (!Accept(parser.Current!, ref root))
                        {
                            return null;
                        }
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            _problems.Add("", $"line {e.Start.Line}, column {e.Start.Column}: not valid YAML or JSON: {e.Message}");
            return null;
        }
        if (documents > 1)
        {
            _problems.Add("", $"holds {documents} YAML documents (separated by '---'); put every application under one 'applications' list.");
            return null;
        }
        return root ?? ConfigNode.Mapping([]);
    }

    /// <summary>Takes one event of the first document; false once a problem ends the reading.</summary>
    private bool Accept(ParsingEvent e, ref ConfigNode? root)
    {
        switch (e)
        {
            case Scalar scalar:
                var value = scalar.Style is ScalarStyle.Plain && (scalar.Tag.IsEmpty || scalar.Tag.Value != StringTag)
                    ? ConfigYaml.Resolve(scalar.Value)
                    : ConfigNode.Of(scalar.Value);
                return Count(1, scalar) && Complete(new Anchored(value, scalar.Value, Values: 1, Height: 0), scalar.Anchor, scalar, ref root);
            case AnchorAlias alias:
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    var open = _open.Any(f => f.Anchor == alias.Value.Value);
                    return Fail(alias, open
                        ? $"the alias *{alias.Value.Value} is inside the node its anchor names, so it would repeat itself forever."
                        : $"the alias *{alias.Value.Value} has no anchor &{alias.Value.Value} before it.");
                }
                if (_open.Count + anchored.Height > MaxDepth)
                {
                    return Fail(alias, $"the alias *{alias.Value.Value} nests lists and mappings deeper than {MaxDepth} levels.");
                }
                return Count(anchored.Values, alias) && Complete(anchored, AnchorName.Empty, alias, ref root);
            case SequenceStart or MappingStart:
                if (_open.Count == MaxDepth)
                {
                    return Fail(e, $"lists and mappings nest deeper than {MaxDepth} levels.");
                }
                if (!Count(1, e))
                {
                    return false;
                }
                var anchor = ((NodeEvent)e).Anchor.IsEmpty ? null : ((NodeEvent)e).Anchor.Value;
                if (anchor is not null)
                {
                    // An alias inside this node to its own anchor is a cycle, even if an earlier node had the same anchor.
                    _anchors.Remove(anchor);
                }
                _open.Push(new Frame(e is MappingStart, anchor, PathOfNext(), e.Start.Line));
                return true;
            default:
                var frame = _open.Pop();
                var node = frame.IsMapping ? ConfigNode.Mapping(frame.Entries) : ConfigNode.Sequence(frame.Items);
                return Complete(new Anchored(node, null, frame.Values, frame.Height + 1), frame.Anchor is null ? AnchorName.Empty : new AnchorName(frame.Anchor), e, ref root);
        }
    }

    /// <summary>A finished value: remembered under its anchor, then placed in the list or mapping that holds it.</summary>
    private bool Complete(Anchored value, AnchorName anchor, ParsingEvent e, ref ConfigNode? root)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = value;
        }
        if (!_open.TryPeek(out var parent))
        {
            root = value.Node;
            return true;
        }
        parent.Values += value.Values;
        parent.Height = Math.Max(parent.Height, value.Height);
        if (!parent.IsMapping)
        {
            parent.Items.Add(value.Node);
            return true;
        }
        if (parent.Key is null && !parent.SkipValue)
        {
            if (value.Raw is null)
            {
                _problems.Add(parent.Path, $"line {e.Start.Line}: a key must be plain text, not a list or a mapping.");
                parent.SkipValue = true;
            }
            else if (!parent.Keys.Add(value.Raw))
            {
                _problems.Add(parent.Path, $"line {e.Start.Line}: the key '{value.Raw}' appears twice in the mapping that starts on line {parent.Line}.");
                parent.SkipValue = true;
            }
            else
            {
                parent.Key = value.Raw;
            }
            return true;
        }
        if (parent.SkipValue)
        {
            parent.SkipValue = false;
            return true;
        }
        parent.Entries.Add(new(parent.Key!, value.Node));
        parent.Key = null;
        return true;
    }

    private bool Count(int values, ParsingEvent e)
    {
        _values += values;
        return _values <= MaxValues || Fail(e, $"the config holds more than {MaxValues:N0} values (each use of an alias counts every value it repeats).");
    }

    private bool Fail(ParsingEvent e, string message)
    {
        _problems.Add(PathOfNext(), $"line {e.Start.Line}, column {e.Start.Column}: {message}");
        return false;
    }

    /// <summary>The path of the value about to be read, for messages: <c>applications[2].args</c>.</summary>
    private string PathOfNext()
    {
        if (!_open.TryPeek(out var parent))
        {
            return "";
        }
        return parent.IsMapping
            ? parent.Key is null ? parent.Path : ConfigProblems.Child(parent.Path, parent.Key)
            : ConfigProblems.Item(parent.Path, parent.Items.Count);
    }

    /// <summary>A finished value as an anchor remembers it: its raw text when it is a scalar (a key may be an alias), its size and height.</summary>
    private sealed record Anchored(ConfigNode Node, string? Raw, int Values, int Height);

    /// <summary>A list or mapping being read.</summary>
    private sealed class Frame(bool isMapping, string? anchor, string path, long line)
    {
        public bool IsMapping { get; } = isMapping;

        public string? Anchor { get; } = anchor;

        public string Path { get; } = path;

        public long Line { get; } = line;

        public List<ConfigNode> Items { get; } = [];

        public List<KeyValuePair<string, ConfigNode>> Entries { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        /// <summary>The key read, waiting for its value.</summary>
        public string? Key { get; set; }

        /// <summary>The key was refused: its value is read (to stay in step) and dropped.</summary>
        public bool SkipValue { get; set; }

        /// <summary>Values inside, itself included, aliases expanded.</summary>
        public int Values { get; set; } = 1;

        /// <summary>Levels of lists and mappings inside it.</summary>
        public int Height { get; set; }
    }
}
