using System.Buffers;
using System.Collections;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace Serve.Serialization;

/// <summary>
/// Sends the read-only lists that C# collection expressions build (<c>IReadOnlyList&lt;string&gt; texts = ["a", "b"]</c>
/// makes a compiler-generated <c>&lt;&gt;z__ReadOnlyArray&lt;string&gt;</c> in the caller's assembly) as arrays: no codec
/// exists for those types, and JSON cannot build them. An array is all they are, and it implements the same interfaces.
/// </summary>
internal sealed class CollectionExpressionCodec : IGeneralizedCodec, IGeneralizedCopier
{
    public bool IsSupportedType(Type type) => ElementType(type) is not null;

    void IFieldCodec.WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, [System.Diagnostics.CodeAnalysis.AllowNull] Type expectedType, object? value)
    {
        // Written as the array it holds, under the array's own type: the reader never meets this codec.
        var array = ToArray(value!);
        writer.Session.CodecProvider.GetCodec(array.GetType()).WriteField(ref writer, fieldIdDelta, expectedType, array);
    }

    object IFieldCodec.ReadValue<TInput>(ref Reader<TInput> reader, Field field) =>
        throw new NotSupportedException("Collection-expression lists are written as arrays and never read as themselves.");

    object? IDeepCopier.DeepCopy(object? input, CopyContext context) => input is null ? null : context.DeepCopy<object>(ToArray(input));

    private static Type? ElementType(Type type) =>
        type is { IsGenericType: true, Name: ['<', '>', 'z', '_', '_', 'R', 'e', 'a', 'd', 'O', 'n', 'l', 'y', ..] }
        && type.GetGenericArguments() is [var element]
        && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type)
            ? element
            : null;

    private static Array ToArray(object value)
    {
        var element = ElementType(value.GetType())!;
        if (value is ICollection collection)
        {
            var array = Array.CreateInstance(element, collection.Count);
            collection.CopyTo(array, 0);
            return array;
        }
        var items = ((IEnumerable)value).Cast<object?>().ToArray();
        var typed = Array.CreateInstance(element, items.Length);
        Array.Copy(items, typed, items.Length);
        return typed;
    }
}
