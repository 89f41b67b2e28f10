namespace Serve;

/// <summary>
/// A config file (or the applications it describes) is wrong; nothing was applied. <see cref="Errors"/> lists
/// every problem, each starting with the path of the value at fault, e.g.
/// <c>applications[1].deployments[0].num_replicas: must be ≥ 0 (got -1).</c>
/// </summary>
[GenerateSerializer, Alias("serve.invalid-config-exception")]
public sealed class InvalidConfigException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public InvalidConfigException(IReadOnlyList<string> errors)
        : base($"The config is invalid; nothing was applied:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", errors)}")
    {
        Errors = errors;
    }

    /// <summary>Every problem found, each naming the path of the value at fault and how to fix it.</summary>
    [Id(0)] public IReadOnlyList<string> Errors { get; }
}
