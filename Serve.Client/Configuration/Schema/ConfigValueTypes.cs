using System.Globalization;
using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>The kinds of values config files hold.</summary>
internal static class ConfigValueTypes
{
    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="rangeText"/> says the range in words when it needs more.</summary>
    public static ConfigValueType<int> Integer(int min, int max = int.MaxValue, string? rangeText = null)
    {
        var description = rangeText ?? (max == int.MaxValue ? $"integer ≥ {min}" : $"integer from {min} to {max}");
        return new(description,
            (mapping, key) =>
            {
                var value = mapping.Int(key, min, rangeText is null ? null : $"must be {rangeText}");
                if (value > max)
                {
                    mapping.Report(key, $"must be an {description} (got {value}).");
                    return null;
                }
                return value;
            },
            value => ConfigNode.Of(value),
            () => Range(new JsonObject { ["type"] = "integer" }, min, max == int.MaxValue ? null : max));
    }

    /// <summary>An integer of up to 64 bits, at least <paramref name="min"/>.</summary>
    public static ConfigValueType<long> Long(long min) => new($"integer ≥ {min}",
        (mapping, key) => mapping.Long(key, min),
        value => ConfigNode.Of(value),
        () => new JsonObject { ["type"] = "integer", ["minimum"] = min });

    /// <summary>A finite number at least <paramref name="min"/>, or above it when <paramref name="exclusive"/>.</summary>
    public static ConfigValueType<double> Number(double min, bool exclusive = false) => new(NumberText("number", min, exclusive),
        (mapping, key) => mapping.Number(key, min, exclusive),
        value => ConfigNode.Of(value),
        () => NumberSchema(min, exclusive));

    /// <summary>A duration written as a number of seconds (keys ending in <c>_s</c>, as Ray's).</summary>
    public static ConfigValueType<TimeSpan> Seconds(double min, bool exclusive = false) => new(NumberText("seconds", min, exclusive),
        (mapping, key) => mapping.Number(key, min, exclusive) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        value => value.Ticks % TimeSpan.TicksPerSecond == 0 ? ConfigNode.Of((long)value.TotalSeconds) : ConfigNode.Of(value.TotalSeconds),
        () => NumberSchema(min, exclusive));

    /// <summary>A string (or null, when <paramref name="nullable"/> gives null a meaning); what it may contain is checked by whoever reads it.</summary>
    public static ConfigValueType<string> Text(string description = "string", bool nullable = false) => new(description,
        (mapping, key) => mapping.String(key),
        ConfigNode.Of,
        () => new JsonObject { ["type"] = nullable ? new JsonArray("string", "null") : "string" });

    /// <summary>One of a few words, each standing for a <typeparamref name="T"/>.</summary>
    public static ConfigValueType<T> Choice<T>(params (string Word, T Value)[] choices)
        where T : notnull
    {
        var words = string.Join(", ", choices.Select(c => $"\"{c.Word}\""));
        return new($"one of {words}",
            (mapping, key) =>
            {
                if (mapping.String(key) is not { } word)
                {
                    return null;
                }
                foreach (var choice in choices)
                {
                    if (choice.Word == word)
                    {
                        return choice.Value;
                    }
                }
                mapping.Report(key, $"must be one of {words} (got \"{word}\").");
                return null;
            },
            value => ConfigNode.Of(choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Word),
            () => new JsonObject { ["enum"] = new JsonArray([.. choices.Select(c => (JsonNode)c.Word)]) });
    }

    /// <summary>A mapping of names the user chooses to numbers of at least <paramref name="min"/>.</summary>
    public static ConfigValueType<IReadOnlyDictionary<string, double>> NumberMap(double min, string what) => new($"mapping of {what} to numbers ≥ {Format(min)}",
        (mapping, key) =>
        {
            if (mapping.Node(key) is not { Kind: not ConfigNodeKind.Null } node
                || mapping.Open(key, $"a mapping of {what} to amounts") is not { } entries)
            {
                return null;
            }
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, _) in node.Entries)
            {
                if (entries.Number(name, min) is { } amount)
                {
                    values[name] = amount;
                }
            }
            return (IReadOnlyDictionary<string, double>)values;
        },
        values => ConfigNode.Mapping(values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new KeyValuePair<string, ConfigNode>(v.Key, ConfigNode.Of(v.Value)))),
        () => new JsonObject { ["type"] = "object", ["additionalProperties"] = NumberSchema(min, exclusive: false) });

    /// <summary>Any value at all (a deployment's own settings, a builder's arguments): passed on as JSON.</summary>
    public static ConfigValueType<ConfigNode> Any(string description) => new(description,
        (mapping, key) => mapping.Node(key) is { Kind: not ConfigNodeKind.Null } node ? node : null,
        node => node,
        () => []);

    private static string NumberText(string kind, double min, bool exclusive) => $"{kind} {(exclusive ? ">" : "≥")} {Format(min)}";

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonObject NumberSchema(double min, bool exclusive) =>
        new() { ["type"] = "number", [exclusive ? "exclusiveMinimum" : "minimum"] = min };

    private static JsonObject Range(JsonObject schema, int min, int? max)
    {
        schema["minimum"] = min;
        if (max is { } top)
        {
            schema["maximum"] = top;
        }
        return schema;
    }
}
