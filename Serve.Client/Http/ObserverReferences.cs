using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Buffers;

namespace Serve.Http;

/// <summary>
/// A gateway's observer (its exchange or WebSocket channel) as <see cref="HttpCallCodec"/> carries it: the observer's
/// id bytes, which a replica's process turns back into the one reference it keeps for them. A gateway has one observer
/// of each kind for its life, so the replica builds its reference once per gateway instead of on every call, as Orleans'
/// reference codec does (its grain and interface types looked up and a new reference made per call). Only an observer's
/// id is read: a call cannot name a grain, so it can steer the replica no further than to an observer, which is less
/// than the reference it carried before allowed. At most <see cref="Capacity"/> are kept; a new one replaces the oldest.
/// </summary>
internal sealed class ObserverReferences<T>(IServiceProvider services) where T : class, IGrainObserver
{
    /// <summary>The most observers kept: gateways a replica's process hears from.</summary>
    public const int Capacity = 64;

    /// <summary>The longest id read: an observer's is about 80 bytes (its silo's address and a GUID).</summary>
    public const int MaxIdBytes = 512;

    private readonly Lock _adding = new();
    private Entry[] _entries = [];
    private int _replaced;
    private IGrainFactory? _grains;

    /// <summary>How many references are kept now.</summary>
    public int Count => Volatile.Read(ref _entries).Length;

    /// <summary>The observer's id: a reference's own, or, for the object itself (<see cref="IReferencedObserver{T}"/>), its reference's.</summary>
    public static GrainId IdOf(T observer) => observer switch
    {
        GrainReference reference => reference.GrainId,
        IReferencedObserver<T> { Reference: GrainReference reference } => reference.GrainId,
        _ => throw new InvalidOperationException($"{typeof(T).Name} {observer} is not a grain reference: make it with IGrainFactory.CreateObjectReference before it is sent to another process."),
    };

    public static int Size(GrainId id) =>
        HttpWire.VarSize((uint)id.Type.AsSpan().Length) + id.Type.AsSpan().Length + HttpWire.VarSize((uint)id.Key.AsSpan().Length) + id.Key.AsSpan().Length;

    public static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, GrainId id) where TBufferWriter : IBufferWriter<byte>
    {
        var type = id.Type.AsSpan();
        writer.WriteVarUInt32((uint)type.Length);
        writer.Write(type);
        var key = id.Key.AsSpan();
        writer.WriteVarUInt32((uint)key.Length);
        writer.Write(key);
    }

    /// <summary>Reads an observer's id, which must end by <paramref name="end"/>, and returns its reference.</summary>
    public T Read<TInput>(ref Reader<TInput> reader, long end, string what, string part)
    {
        Span<byte> id = stackalloc byte[MaxIdBytes];
        var typeLength = ReadLength(ref reader, end, what, part, MaxIdBytes);
        reader.ReadBytes(id[..typeLength]);
        var keyLength = ReadLength(ref reader, end, what, part, MaxIdBytes - typeLength);
        reader.ReadBytes(id.Slice(typeLength, keyLength));
        var type = id[..typeLength];
        var key = id.Slice(typeLength, keyLength);
        foreach (var entry in Volatile.Read(ref _entries))
        {
            if (type.SequenceEqual(entry.Type) && key.SequenceEqual(entry.Key))
            {
                return entry.Reference;
            }
        }
        return Add(type.ToArray(), key.ToArray(), what, part);
    }

    private T Add(byte[] type, byte[] key, string what, string part)
    {
        var id = GrainId.Create(new GrainType(type), new IdSpan(key));
        // An observer's id is its client's (Orleans' client grain type, which it does not make public) with the observer's own
        // id after a '+'; a test holds this against a reference Orleans made.
        if (!type.AsSpan().SequenceEqual("sys.client"u8) || !key.AsSpan().Contains((byte)'+'))
        {
            throw HttpWire.Malformed(what, $"its {part} {id} is not a gateway's observer");
        }
        var grains = _grains ??= services.GetRequiredService<IGrainFactory>();
        var reference = grains.GetGrain<T>(id);
        lock (_adding)
        {
            var entries = _entries;
            if (entries.Length < Capacity)
            {
                Volatile.Write(ref _entries, [.. entries, new Entry(type, key, reference)]);
            }
            else
            {
                var copy = (Entry[])entries.Clone();
                copy[_replaced++ % Capacity] = new Entry(type, key, reference);
                Volatile.Write(ref _entries, copy);
            }
        }
        return reference;
    }

    private static int ReadLength<TInput>(ref Reader<TInput> reader, long end, string what, string part, int most)
    {
        var length = reader.ReadVarUInt32();
        if (length > end - reader.Position)
        {
            throw HttpWire.Malformed(what, $"its {part}'s id of {length} bytes runs past the value's end ({end - reader.Position} bytes left)");
        }
        return length <= (uint)most ? (int)length : throw HttpWire.Malformed(what, $"its {part}'s id is longer than the {MaxIdBytes} bytes an observer's takes");
    }

    private sealed record Entry(byte[] Type, byte[] Key, T Reference);
}
