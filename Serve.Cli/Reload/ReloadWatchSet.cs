namespace Serve.Cli.Reload;

/// <summary>
/// The files <c>serve run --reload</c> watches: beside each <c>--assembly</c>, every <c>.dll</c> and <c>.json</c> a build
/// writes (the assembly, its dependencies, its deps and runtime config, its <c>appsettings.json</c>), and the config file
/// it runs. Paths are compared whole, as the file system gives them.
/// </summary>
internal sealed class ReloadWatchSet
{
    private static readonly string[] BuildOutputs = [".dll", ".json"];

    private readonly HashSet<string> _directories;
    private readonly string? _config;

    private ReloadWatchSet(HashSet<string> directories, string? config)
    {
        _directories = directories;
        _config = config;
    }

    /// <summary>The directories to watch: those of the assemblies, and the config file's.</summary>
    public IReadOnlyCollection<string> Directories =>
        _config is null ? _directories : [.. _directories.Append(Path.GetDirectoryName(_config)!).Distinct(StringComparer.Ordinal)];

    public bool IsEmpty => _directories.Count == 0 && _config is null;

    /// <param name="assemblies">The <c>--assembly</c> paths, as given.</param>
    /// <param name="config">The config file run, or null for an import path.</param>
    public static ReloadWatchSet For(IEnumerable<string> assemblies, string? config) => new(
        assemblies.Select(a => Path.GetDirectoryName(Path.GetFullPath(a))!).ToHashSet(StringComparer.Ordinal),
        config is null ? null : Path.GetFullPath(config));

    /// <summary>Whether a change of <paramref name="path"/> (full) calls for a restart.</summary>
    public bool Matches(string path) =>
        string.Equals(path, _config, StringComparison.Ordinal)
        || (_directories.Contains(Path.GetDirectoryName(path) ?? "")
            && BuildOutputs.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase));
}
