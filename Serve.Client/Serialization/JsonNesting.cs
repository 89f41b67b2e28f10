using System.Text.Json;

namespace Serve.Serialization;

/// <summary>
/// Says what went wrong when System.Text.Json, which an application's own types cross as, refused a value for nesting
/// deeper than its limit (64) or holding a cycle (it tells the two apart only by depth): its own message advises
/// <c>ReferenceHandler.Preserve</c> on <c>JsonSerializerOptions</c>, which Serve owns and the application cannot set.
/// </summary>
internal static class JsonNesting
{
    /// <summary>System.Text.Json's default <see cref="JsonSerializerOptions.MaxDepth"/>, which the JSON codec keeps.</summary>
    public const int MaxDepth = 64;

    /// <summary>The problem, naming where and the fix, when <paramref name="error"/> (or an inner exception) is such a refusal; else null.</summary>
    public static string? Problem(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is JsonException { Path: { } path } && DepthOf(path) >= MaxDepth)
            {
                return $"it nests deeper than {MaxDepth} levels or holds a cycle (a member that leads back to an object it is in), at {Shorten(path)}, "
                    + "and JSON, which the application's types cross as, allows neither. Fix: pass the structure flat (its nodes in a list, "
                    + "their links as indexes into it), or give the type an Orleans codec with [GenerateSerializer].";
            }
        }
        return null;
    }

    /// <summary>How many levels deep a JSON path (<c>$.a.b[3].c</c>) goes.</summary>
    public static int DepthOf(string path)
    {
        var depth = 0;
        foreach (var c in path)
        {
            if (c is '.' or '[')
            {
                depth++;
            }
        }
        return depth;
    }

    /// <summary>A path of many levels as its first and last few, with how many were left out.</summary>
    private static string Shorten(string path)
    {
        const int Shown = 120;
        return path.Length <= 2 * Shown ? path : $"{path[..Shown]}…({path.Length - 2 * Shown} characters)…{path[^Shown..]}";
    }
}
