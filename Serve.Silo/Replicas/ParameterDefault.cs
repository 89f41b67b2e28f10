using System.Reflection;

namespace Serve.Replicas;

/// <summary>What a call by name that leaves a parameter off passes for it, if anything.</summary>
/// <param name="Exists">Whether the parameter may be left off.</param>
/// <param name="Value">What it then takes.</param>
internal readonly record struct ParameterDefault(bool Exists, object? Value)
{
    /// <summary>
    /// For each of <paramref name="parameters"/>: its own default, else the first default the parameter at its position
    /// has in one of <paramref name="declarations"/> (parameter lists of the interface methods it implements).
    /// </summary>
    public static ParameterDefault[] Of(ParameterInfo[] parameters, IEnumerable<ParameterInfo[]> declarations)
    {
        var declared = declarations.Where(d => d.Length == parameters.Length).ToArray();
        var defaults = new ParameterDefault[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var source = parameters[i].HasDefaultValue ? parameters[i] : declared.Select(d => d[i]).FirstOrDefault(p => p.HasDefaultValue);
            defaults[i] = source is null ? default : new ParameterDefault(true, source.DefaultValue);
        }
        return defaults;
    }
}
