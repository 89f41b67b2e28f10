using System.Globalization;

namespace Serve.Configuration;

/// <summary>
/// One value of a config file as a generic tree, read from YAML or JSON, so every unknown key and wrong
/// type can be reported with its path before anything is bound.
/// </summary>
internal sealed class ConfigNode
{
    private static readonly IReadOnlyList<KeyValuePair<string, ConfigNode>> NoEntries = [];
    private static readonly IReadOnlyList<ConfigNode> NoItems = [];

    private ConfigNode(ConfigNodeKind kind, object? scalar, IReadOnlyList<KeyValuePair<string, ConfigNode>>? entries, IReadOnlyList<ConfigNode>? items)
    {
        Kind = kind;
        Scalar = scalar;
        Entries = entries ?? NoEntries;
        Items = items ?? NoItems;
    }

    public static ConfigNode Null { get; } = new(ConfigNodeKind.Null, null, null, null);

    public ConfigNodeKind Kind { get; }

    /// <summary>The value of a scalar: a <see cref="bool"/>, <see cref="long"/>, <see cref="double"/> or <see cref="string"/>.</summary>
    public object? Scalar { get; }

    /// <summary>A mapping's keys and values, in the file's order.</summary>
    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries { get; }

    /// <summary>A sequence's items.</summary>
    public IReadOnlyList<ConfigNode> Items { get; }

    public bool IsNumber => Kind is ConfigNodeKind.Integer or ConfigNodeKind.Float;

    public long Integer => (long)Scalar!;

    public double Number => Scalar is long integer ? integer : (double)Scalar!;

    public string String => (string)Scalar!;

    public static ConfigNode Of(bool value) => new(ConfigNodeKind.Boolean, value, null, null);

    public static ConfigNode Of(long value) => new(ConfigNodeKind.Integer, value, null, null);

    public static ConfigNode Of(double value) => new(ConfigNodeKind.Float, value, null, null);

    public static ConfigNode Of(string? value) => value is null ? Null : new(ConfigNodeKind.String, value, null, null);

    public static ConfigNode Mapping(IEnumerable<KeyValuePair<string, ConfigNode>> entries) => new(ConfigNodeKind.Mapping, null, entries.ToArray(), null);

    public static ConfigNode Sequence(IEnumerable<ConfigNode> items) => new(ConfigNodeKind.Sequence, null, null, items.ToArray());

    public ConfigNode? Get(string key)
    {
        foreach (var (name, value) in Entries)
        {
            if (name == key)
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>How an error message names this value: <c>a string ("abc")</c>, <c>a mapping</c>.</summary>
    public string Describe() => Kind switch
    {
        ConfigNodeKind.Null => "null",
        ConfigNodeKind.Boolean => $"a boolean ({((bool)Scalar! ? "true" : "false")})",
        ConfigNodeKind.Integer => $"an integer ({Integer.ToString(CultureInfo.InvariantCulture)})",
        ConfigNodeKind.Float => $"a number ({Number.ToString(CultureInfo.InvariantCulture)})",
        ConfigNodeKind.String => $"a string (\"{(String.Length > 40 ? String[..40] + "…" : String)}\")",
        ConfigNodeKind.Mapping => "a mapping",
        _ => "a list",
    };
}
