namespace Serve;

/// <summary>
/// The rule every application and deployment name follows: it names a grain key part, a route table entry, log lines and
/// metric labels, so it must be non-empty, hold no '/' (the key's separator) and no control character (a line break
/// would forge a log line, an escape sequence would reach an operator's terminal).
/// </summary>
internal static class ServeName
{
    /// <summary>What a valid name is, for error messages: "'x' {Requirement}."</summary>
    public const string Requirement = "must be non-empty and must not contain '/' or control characters";

    public static bool IsValid(string? name) => !string.IsNullOrWhiteSpace(name) && !name.Contains('/') && !name.Any(char.IsControl);

    /// <summary><paramref name="name"/> as an error message shows it: each control character written out (<c>\u000A</c>).</summary>
    public static string Shown(string? name) =>
        name is null || !name.Any(char.IsControl)
            ? name ?? ""
            : string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
