using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>A mapping of a config file (the root, <c>http_options</c>, an application, a deployment, …) and the keys it may hold.</summary>
internal class ConfigSection
{
    /// <summary>The section's key in its parent (e.g. <c>autoscaling_config</c>), or a title for the root and list items.</summary>
    public required string Name { get; init; }

    /// <summary>What the section is, for the README and the JSON Schema.</summary>
    public required string Doc { get; init; }

    /// <summary>What a wrong value should have been, e.g. <c>a mapping of autoscaling options</c>.</summary>
    public required string Expected { get; init; }

    public required IReadOnlyList<ConfigKey> Keys { get; init; }

    /// <summary>Advice for keys a Ray user may bring along that the section does not have.</summary>
    public IReadOnlyDictionary<string, string> Hints { get; init; } = new Dictionary<string, string>();

    /// <summary>The key named <paramref name="name"/>, whose values bind to <typeparamref name="T"/>.</summary>
    public ConfigKey<T> Key<T>(string name)
        where T : notnull =>
        Keys.OfType<ConfigKey<T>>().SingleOrDefault(k => k.Name == name) ?? throw new ArgumentException($"{Name} has no key '{name}' of type {typeof(T).Name}.", nameof(name));

    /// <summary>Opens <paramref name="node"/> as this section, reporting a value that is not a mapping and every unknown key.</summary>
    public ConfigMapping? Open(ConfigNode node, string path, ConfigProblems problems)
    {
        var mapping = ConfigMapping.Open(node, path, problems, Expected);
        mapping?.RejectUnknownKeys([.. Keys.Select(k => k.Name)], Hints);
        return mapping;
    }

    /// <summary>The section's JSON Schema: an object of its keys, nothing else.</summary>
    public JsonObject ToJsonSchema()
    {
        var properties = new JsonObject();
        foreach (var key in Keys)
        {
            properties[key.Name] = key.ToJsonSchema();
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["description"] = Doc,
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }
}
