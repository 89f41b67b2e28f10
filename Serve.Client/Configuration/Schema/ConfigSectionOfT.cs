namespace Serve.Configuration.Schema;

/// <summary>A section whose keys each set one property of a <typeparamref name="TTarget"/>.</summary>
internal sealed class ConfigSection<TTarget> : ConfigSection
{
    /// <summary>The keys bound to properties, in the order they are written.</summary>
    public IEnumerable<IConfigField<TTarget>> Fields => Keys.OfType<IConfigField<TTarget>>();

    /// <summary>The values <paramref name="mapping"/> gives for this section's fields, each checked (problems reported).</summary>
    public ConfigOverride<TTarget> Read(ConfigMapping mapping)
    {
        var values = new List<KeyValuePair<IConfigField<TTarget>, object>>();
        foreach (var field in Fields)
        {
            if (field.Read(mapping) is { } value)
            {
                values.Add(new(field, value));
            }
        }
        return new ConfigOverride<TTarget>(values);
    }

    /// <summary>Every set field of <paramref name="target"/>, in order.</summary>
    public IEnumerable<KeyValuePair<string, ConfigNode>> Write(TTarget target)
    {
        foreach (var field in Fields)
        {
            if (field.Write(target) is { } node)
            {
                yield return new(field.Name, node);
            }
        }
    }
}
