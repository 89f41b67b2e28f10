using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Session;

namespace Serve.Tests.Http;

/// <summary>Values written by hand, for the malformed-input tests of the HTTP wire codecs.</summary>
/// <param name="services">Holds Orleans' serializer and its session pool.</param>
internal sealed class HandWrittenWire(IServiceProvider services)
{
    public delegate void Block(ref Writer<ArrayBufferWriter<byte>> writer);

    /// <summary>
    /// A value written by hand: the field header of <paramref name="valid"/>, a value of the same type, then the block's
    /// length (off by <paramref name="lengthAdjustment"/>) and bytes.
    /// </summary>
    public byte[] Tampered<T>(T valid, Block block, int lengthAdjustment = 0)
    {
        var header = services.GetRequiredService<Serializer>().SerializeToArray(valid)[0];
        var content = Write(block);
        return [header, .. Write((ref Writer<ArrayBufferWriter<byte>> w) => w.WriteVarUInt32((uint)(content.Length + lengthAdjustment))), .. content];
    }

    public byte[] Write(Block block)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var session = services.GetRequiredService<SerializerSessionPool>().GetSession();
        var writer = Writer.Create(buffer, session);
        block(ref writer);
        writer.Commit();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>How many times <paramref name="part"/> appears in <paramref name="bytes"/>: what a value spells on the wire, and how often.</summary>
    public static int Occurrences(byte[] bytes, ReadOnlySpan<byte> part)
    {
        var count = 0;
        for (var rest = bytes.AsSpan(); rest.IndexOf(part) is var at and >= 0; rest = rest[(at + 1)..])
        {
            count++;
        }
        return count;
    }

    /// <summary>The message of the <see cref="InvalidDataException"/> <paramref name="read"/> must throw.</summary>
    public static string Malformed(Action read) => Assert.Throws<InvalidDataException>(read).Message;
}
