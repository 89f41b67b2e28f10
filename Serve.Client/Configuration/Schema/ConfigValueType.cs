using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>What a value in a config file looks like: how it is read (and checked), written, described and schematised.</summary>
internal abstract class ConfigValueType
{
    /// <summary>The type and range in words, for the README and messages, e.g. <c>integer ≥ 0</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The JSON Schema of the value, without description or default.</summary>
    public abstract JsonObject ToJsonSchema();
}
