namespace Serve.Configuration.Schema;

/// <summary>
/// The values a section of a config file gives: applied over a <typeparamref name="TTarget"/> from code, field by
/// field, so what the file leaves out keeps the code's value.
/// </summary>
internal sealed class ConfigOverride<TTarget>(IReadOnlyList<KeyValuePair<IConfigField<TTarget>, object>> values)
{
    public static ConfigOverride<TTarget> Empty { get; } = new([]);

    /// <summary>The fields given, with their values.</summary>
    public IReadOnlyList<KeyValuePair<IConfigField<TTarget>, object>> Values => values;

    /// <summary><paramref name="target"/> with every given field set.</summary>
    public TTarget ApplyTo(TTarget target)
    {
        foreach (var (field, value) in values)
        {
            target = field.Apply(target, value);
        }
        return target;
    }

    /// <summary>The value given for the key named <paramref name="name"/>, null when not given.</summary>
    public object? this[string name] => values.FirstOrDefault(v => v.Key.Name == name).Value;
}
