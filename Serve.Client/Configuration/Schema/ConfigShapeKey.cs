using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>
/// A key whose value has a shape of its own — a list of sections, a mapping of names to sections, an integer or a
/// word — read by its section's parser; defined here so that it is documented and schematised with the others.
/// </summary>
internal sealed class ConfigShapeKey : ConfigKey
{
    public required string Shape { get; init; }

    public required Func<JsonObject> Schema { get; init; }

    public override string TypeDescription => Shape;

    protected override JsonObject ValueSchema() => Schema();
}
