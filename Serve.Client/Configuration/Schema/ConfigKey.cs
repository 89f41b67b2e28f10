using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>
/// One key of a config file, defined once: its name, the type and range of its value, its default, what Ray calls it,
/// and what it does. The parser reads it, the writer writes it, and the JSON Schema and the README's tables are
/// generated from it.
/// </summary>
internal abstract class ConfigKey
{
    /// <summary>The key as written in the file (snake_case, as Ray's).</summary>
    public required string Name { get; init; }

    /// <summary>What the key does, one or two sentences.</summary>
    public required string Doc { get; init; }

    /// <summary>The default in words, e.g. <c>5</c> or <c>none: required</c>.</summary>
    public required string Default { get; init; }

    /// <summary>What Ray calls it, when not <see cref="Name"/>; <c>"—"</c> when Ray has no such key.</summary>
    public string? Ray { get; init; }

    /// <summary>The type and range in words.</summary>
    public abstract string TypeDescription { get; }

    /// <summary>The key's JSON Schema, description included.</summary>
    public JsonObject ToJsonSchema()
    {
        var schema = ValueSchema();
        schema["description"] = $"{Doc} Default: {Default}.";
        return schema;
    }

    protected abstract JsonObject ValueSchema();
}
