using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>A key whose value binds to <typeparamref name="T"/>; its reader decides what the value is used for.</summary>
internal class ConfigKey<T> : ConfigKey
    where T : notnull
{
    public required ConfigValueType<T> Type { get; init; }

    public override string TypeDescription => Type.Description;

    /// <summary>Reads the key's value from <paramref name="mapping"/>; false when absent, null in the file, or reported as wrong.</summary>
    public bool TryRead(ConfigMapping mapping, [MaybeNullWhen(false)] out T value) => Type.TryRead(mapping, Name, out value);

    protected override JsonObject ValueSchema() => Type.ToJsonSchema();
}
