using System.Text.Json.Nodes;

namespace Serve.Configuration.Schema;

/// <summary>
/// A key whose value is a section of its own (e.g. a deployment's <c>resources</c>): its given fields are applied over
/// the child the target already has.
/// </summary>
internal sealed class ConfigSectionField<TTarget, TChild> : ConfigKey, IConfigField<TTarget>
{
    public required ConfigSection<TChild> Section { get; init; }

    public required Func<TTarget, TChild> Get { get; init; }

    public required Func<TTarget, TChild, TTarget> Set { get; init; }

    public override string TypeDescription => $"mapping ({Section.Name})";

    public object? Read(ConfigMapping mapping) =>
        mapping.Node(Name) is { Kind: not ConfigNodeKind.Null } node && Section.Open(node, mapping.PathOf(Name), mapping.Problems) is { } child
            ? Section.Read(child)
            : null;

    public TTarget Apply(TTarget target, object value) => Set(target, ((ConfigOverride<TChild>)value).ApplyTo(Get(target)));

    public ConfigNode? Write(TTarget target) => ConfigNode.Mapping([.. Section.Write(Get(target))]);

    protected override JsonObject ValueSchema() => Section.ToJsonSchema();
}
