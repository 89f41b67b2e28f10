using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>A <see cref="ConfigValueType"/> whose values bind to <typeparamref name="T"/>.</summary>
/// <param name="description">The type and range in words.</param>
/// <param name="read">Reads the value of a key as a <typeparamref name="T"/>, reporting a wrong type or range through the mapping; null when absent or wrong.</param>
/// <param name="write">The value as a config node.</param>
/// <param name="schema">The value's JSON Schema.</param>
internal sealed class ConfigValueType<T>(string description, Func<ConfigMapping, string, object?> read, Func<T, ConfigNode> write, Func<JsonObject> schema)
    : ConfigValueType
    where T : notnull
{
    public override string Description => description;

    /// <summary>Reads the value under <paramref name="key"/>; false when absent, null in the file, or reported as wrong.</summary>
    public bool TryRead(ConfigMapping mapping, string key, [MaybeNullWhen(false)] out T value)
    {
        if (read(mapping, key) is T read1)
        {
            value = read1;
            return true;
        }
        value = default;
        return false;
    }

    public ConfigNode Write(T value) => write(value);

    public override JsonObject ToJsonSchema() => schema();
}
