using System.Collections;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace Serve.Serialization;

/// <summary>
/// What a call's values become on their way between caller and replica: a deep copy by the same codecs that serialize
/// them between silos (the JSON codec's copy is a JSON round trip). Every call is copied, whether its replica is in this
/// process or not, so a one-process cluster treats values as a multi-silo one does: a type that cannot cross fails on a
/// laptop first, and caller and replica never share an object.
/// </summary>
internal sealed class WireValues
{
    private const int MaxItemsExamined = 10_000;

    private readonly DeepCopier _copier;
    private readonly ICodecProvider _codecs;

    public WireValues(DeepCopier copier, ICodecProvider codecs)
    {
        _copier = copier;
        _codecs = codecs;
    }

    /// <summary>The arguments as the replica receives them.</summary>
    /// <exception cref="TypeNotSerializableException">An argument cannot cross; the message names it, its type, the member and the fix.</exception>
    public object?[] CopyArguments(DeploymentId deployment, string method, object?[] args)
    {
        if (args.Length == 0 || AllScalars(args))
        {
            return args;
        }
        try
        {
            return _copier.Copy(args);
        }
        catch (Exception e) when (IsSerializationFailure(e))
        {
            for (var i = 0; i < args.Length; i++)
            {
                if (Diagnose(args[i], 0) is { } problem)
                {
                    throw new TypeNotSerializableException($"Argument {i + 1} of {method} on deployment '{deployment}' cannot cross between processes: {problem}");
                }
            }
            throw new TypeNotSerializableException($"The arguments of {method} on deployment '{deployment}' cannot cross between processes: {JsonNesting.Problem(e) ?? $"{e.Message} {GeneralFix}"}");
        }
    }

    /// <summary>A method's result (or streamed item) as its caller receives it.</summary>
    /// <exception cref="TypeNotSerializableException">It cannot cross; the message names its type, the member and the fix.</exception>
    public object? CopyResult(object? value, string method, string replica)
    {
        if (value is null || IsScalar(value))
        {
            return value;
        }
        try
        {
            return _copier.Copy(value);
        }
        catch (Exception e) when (IsSerializationFailure(e))
        {
            throw new TypeNotSerializableException($"The result of {method} (replica {replica}) cannot cross between processes: {Diagnose(value, 0) ?? JsonNesting.Problem(e) ?? $"{e.Message} {GeneralFix}"}");
        }
    }

    private const string GeneralFix =
        "Fix: pass plain data (records or classes with public properties, collections, primitives), or give the type an Orleans codec with [GenerateSerializer].";

    private static bool IsSerializationFailure(Exception e) =>
        e is CodecNotFoundException or NotSupportedException or System.Text.Json.JsonException or SerializerException or InvalidOperationException;

    /// <summary>The first value in <paramref name="value"/> (itself, or an item of a collection) whose type cannot cross, and why.</summary>
    private string? Diagnose(object? value, int depth)
    {
        if (value is null)
        {
            return null;
        }
        var type = value.GetType();
        if (JsonFallback.IsEligible(type))
        {
            return JsonFallback.Problem(type);
        }
        if (HasCodec(type) is false)
        {
            return $"{type.FullName} has no Orleans codec, and JSON is used only for the application's own types, not for those of .NET, ASP.NET Core, Orleans or Serve. "
                + "Fix: carry its data in a record or class of your own, or convert it to a type that has a codec (a string, an array, a list).";
        }
        if (depth < 4 && value is IEnumerable items and not string)
        {
            var examined = 0;
            foreach (var item in value is IDictionary dictionary ? Entries(dictionary) : items.Cast<object?>())
            {
                if (++examined > MaxItemsExamined)
                {
                    break;
                }
                if (Diagnose(item, depth + 1) is { } problem)
                {
                    return problem;
                }
            }
        }
        return null;
    }

    /// <summary>Whether Orleans has a codec for <paramref name="type"/>; null when it has one that failed on a type inside (a list's items, say).</summary>
    private bool? HasCodec(Type type)
    {
        try
        {
            return _codecs.TryGetCodec(type) is not null;
        }
        catch (Exception e) when (IsSerializationFailure(e))
        {
            return null;
        }
    }

    private static IEnumerable<object?> Entries(IDictionary dictionary)
    {
        foreach (DictionaryEntry entry in dictionary)
        {
            yield return entry.Key;
            yield return entry.Value;
        }
    }

    private static bool AllScalars(object?[] args)
    {
        foreach (var arg in args)
        {
            if (arg is not null && !IsScalar(arg))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Immutable values every codec passes through as they are.</summary>
    private static bool IsScalar(object value) =>
        value is string or Guid or decimal or DateTime or DateTimeOffset or TimeSpan || value.GetType() is { IsPrimitive: true } or { IsEnum: true };
}
