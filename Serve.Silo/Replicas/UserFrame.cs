using System.Diagnostics;

namespace Serve.Replicas;

/// <summary>
/// Where the deployment's own code threw: the innermost frame of an exception's stack that is not the platform's (.NET,
/// ASP.NET Core, Orleans, Serve), as <c>MyApp.Model..ctor in Model.cs:line 12</c> (the file and line when the
/// assembly ships its symbols). A failed start's status names it, so the first place to look is in the first line seen.
/// </summary>
internal static class UserFrame
{
    /// <summary>The frame, or null when none of the stack is the user's (or there is no stack).</summary>
    public static string? Of(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var frames = new StackTrace(error, fNeedFileInfo: true).GetFrames();
        foreach (var frame in frames)
        {
            if (frame.GetMethod() is not { DeclaringType: { } type } method || PlatformAssemblies.Contains(type.Assembly))
            {
                continue;
            }
            var name = $"{Outermost(type).FullName}.{WrittenName(type, method.Name)}";
            return frame.GetFileName() is { Length: > 0 } file
                ? $"{name} in {Path.GetFileName(file)}:line {frame.GetFileLineNumber()}"
                : name;
        }
        return null;
    }

    /// <summary>The method as the user wrote it: <c>InitializeAsync</c> for its state machine's <c>MoveNext</c>, <c>MapEndpoints</c> for a lambda in it.</summary>
    private static string WrittenName(Type type, string method)
    {
        if (method == "MoveNext" && Between(type.Name) is { } stateMachineOf)
        {
            return stateMachineOf;
        }
        return Between(method) ?? method;
    }

    /// <summary><c>X</c> from a compiler-made name <c>&lt;X&gt;...</c>; null for another name.</summary>
    private static string? Between(string name)
    {
        var end = name.IndexOf('>', StringComparison.Ordinal);
        return name.StartsWith('<') && end > 1 ? name[1..end] : null;
    }

    /// <summary>
    /// The type a user wrote, not one the compiler made for a lambda or an async method (<c>Model+&lt;InitializeAsync&gt;d__3</c>),
    /// whose name would say less.
    /// </summary>
    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer && type.Name.Contains('<', StringComparison.Ordinal))
        {
            type = outer;
        }
        return type;
    }
}
