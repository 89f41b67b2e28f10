namespace Serve.Configuration;

/// <summary>A deployment's <c>resources</c> override; fields not given keep the code's values.</summary>
internal sealed record ResourcesOverride
{
    public double? NumCpus { get; init; }

    public double? NumGpus { get; init; }

    public long? Memory { get; init; }

    /// <summary>Replaces the code's custom resources as a whole when given.</summary>
    public IReadOnlyDictionary<string, double>? Custom { get; init; }

    public ReplicaResources ApplyTo(ReplicaResources code) => code with
    {
        NumCpus = NumCpus ?? code.NumCpus,
        NumGpus = NumGpus ?? code.NumGpus,
        Memory = Memory ?? code.Memory,
        Custom = Custom ?? code.Custom,
    };
}
