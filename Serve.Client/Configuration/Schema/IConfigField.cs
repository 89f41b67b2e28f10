namespace Serve.Configuration.Schema;

/// <summary>A key that sets one property of a <typeparamref name="TTarget"/>: read as a change, written from a value.</summary>
internal interface IConfigField<TTarget>
{
    string Name { get; }

    /// <summary>The value in the file, boxed; null when absent or wrong (reported).</summary>
    object? Read(ConfigMapping mapping);

    /// <summary><paramref name="target"/> with the property set to <paramref name="value"/>, a value <see cref="Read"/> returned.</summary>
    TTarget Apply(TTarget target, object value);

    /// <summary>The property's value as a config node; null when unset (a nullable property that is null).</summary>
    ConfigNode? Write(TTarget target);
}
