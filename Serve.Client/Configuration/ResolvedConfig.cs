using Serve.Grains;

namespace Serve.Configuration;

/// <summary>A config file checked and resolved: its parsed form and the application specs it applies.</summary>
internal sealed record ResolvedConfig(ServeConfig Config, IReadOnlyList<ApplicationSpec> Applications)
{
    /// <summary>
    /// Parses, checks and resolves <paramref name="text"/> (YAML or JSON) in this process.
    /// </summary>
    /// <exception cref="InvalidConfigException">Every problem found; nothing should be applied.</exception>
    public static ResolvedConfig Load(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new ConfigProblems();
        var config = ServeConfigParser.Parse(text, problems);
        var specs = config is null ? [] : ServeConfigResolver.Resolve(config, problems);
        if (problems.Count > 0)
        {
            throw new InvalidConfigException(problems.Errors);
        }
        return new ResolvedConfig(config!, specs);
    }
}
