using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace Serve.Replicas;

/// <summary>
/// About how many bytes a streamed item holds, for <see cref="StreamBufferLimit"/>: what it serializes to is known only
/// once Orleans sends it, so this counts what makes an item large. Arrays and lists of primitives, strings (two bytes a
/// character), and, inside collections that hold their items (never a lazy sequence, which counting would run) and the public properties and fields of the application's own types, the same,
/// to <see cref="MaxDepth"/> levels and <see cref="MaxItemsExamined"/> items a collection (the rest of a collection counted
/// as the average of those seen). Anything else counts as <see cref="ScalarBytes"/>. Cheap for the small items most
/// streams carry (a token, a number): a few type checks.
/// </summary>
internal static class StreamItemSize
{
    /// <summary>What a number, a null or an object counted no deeper takes.</summary>
    public const int ScalarBytes = 8;

    /// <summary>Levels of nesting counted (a list of records holding arrays is three).</summary>
    public const int MaxDepth = 4;

    /// <summary>Items of one collection looked at; the rest count as their average.</summary>
    public const int MaxItemsExamined = 64;

    private static readonly ConcurrentDictionary<Type, Func<object, object?>[]> Members = new();

    public static long Of(object? item) => Of(item, 0);

    private static long Of(object? item, int depth)
    {
        switch (item)
        {
            case null:
                return ScalarBytes;
            case string text:
                return 2L * text.Length;
            case byte[] bytes:
                return bytes.Length;
            case Array array when array.GetType().GetElementType() is { IsPrimitive: true }:
                return Buffer.ByteLength(array);
            case ReadOnlyMemory<byte> memory:
                return memory.Length;
            case Memory<byte> memory:
                return memory.Length;
        }
        var type = item.GetType();
        if (type.IsPrimitive || type.IsEnum || depth >= MaxDepth)
        {
            return ScalarBytes;
        }
        if (item is IDictionary dictionary)
        {
            return OfItems(dictionary.Keys, depth) + OfItems(dictionary.Values, depth);
        }
        if (item is IEnumerable items)
        {
            // Only a collection that holds its items: a lazy sequence (a query, an iterator) would run again here, and a
            // one-shot one would be used up before it is sent.
            return IsMaterialized(type, items) ? OfItems(items, depth) : ScalarBytes;
        }
        if (type.Assembly == typeof(object).Assembly || type.Assembly == typeof(StreamItemSize).Assembly)
        {
            // .NET's own values (a DateTime, a Guid) and Serve's: small, and their members are not the application's data.
            return ScalarBytes;
        }
        long size = ScalarBytes;
        foreach (var member in Members.GetOrAdd(type, Accessors))
        {
            size += Of(Read(member, item), depth + 1);
        }
        return size;
    }

    private static readonly ConcurrentDictionary<Type, bool> ReadOnlyCollections = new();

    private static bool IsMaterialized(Type type, IEnumerable items) =>
        items is ICollection || ReadOnlyCollections.GetOrAdd(type, static t =>
            t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyCollection<>)));

    private static long OfItems(IEnumerable items, int depth)
    {
        if (items is ICollection { Count: 0 })
        {
            return ScalarBytes;
        }
        long size = 0;
        var examined = 0;
        foreach (var item in items)
        {
            if (examined == MaxItemsExamined)
            {
                // The rest as the average so far; a collection that does not know its count counts no further.
                return items is ICollection all ? size * all.Count / examined : size;
            }
            size += Of(item, depth + 1);
            examined++;
        }
        return Math.Max(size, ScalarBytes);
    }

    private static object? Read(Func<object, object?> member, object item)
    {
        try
        {
            return member(item);
        }
        catch (Exception e) when (e is TargetInvocationException or NotSupportedException or InvalidOperationException)
        {
            // A property that computes and fails: it carries no bytes of its own.
            return null;
        }
    }

    private static Func<object, object?>[] Accessors(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => (Func<object, object?>)p.GetValue);
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => (Func<object, object?>)f.GetValue);
        return [.. properties, .. fields];
    }
}
