namespace Serve.Configuration;

/// <summary>Every problem found in a config, each prefixed with the path of the value at fault.</summary>
internal sealed class ConfigProblems
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public int Count => _errors.Count;

    /// <summary>Adds <c>path: message</c>; an empty path is the whole file.</summary>
    public void Add(string path, string message) => _errors.Add($"{(path.Length == 0 ? "config" : path)}: {message}");

    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Item(string path, int index) => $"{path}[{index}]";
}
