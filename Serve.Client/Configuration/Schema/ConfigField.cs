namespace Serve.Configuration.Schema;

/// <summary>A key bound to a property of <typeparamref name="TTarget"/> through <see cref="Get"/> and <see cref="Set"/>.</summary>
internal sealed class ConfigField<TTarget, T> : ConfigKey<T>, IConfigField<TTarget>
    where T : notnull
{
    /// <summary>The property's value (a <typeparamref name="T"/>); null when a nullable property is unset.</summary>
    public required Func<TTarget, object?> Get { get; init; }

    /// <summary>A copy of the target with the property set.</summary>
    public required Func<TTarget, T, TTarget> Set { get; init; }

    public object? Read(ConfigMapping mapping) => TryRead(mapping, out var value) ? value : null;

    public TTarget Apply(TTarget target, object value) => Set(target, (T)value);

    public ConfigNode? Write(TTarget target) => Get(target) is T value ? Type.Write(value) : null;
}
