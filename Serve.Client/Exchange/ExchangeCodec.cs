using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Serve.Grains;

namespace Serve.Exchange;

/// <summary>How the data plane's payloads are written and read: Orleans' serializers for each, and its copier for a caller's request context.</summary>
internal sealed class ExchangeCodec(
    Serializer<ExchangeCall> calls, Serializer<ReplicaResponse> replies, Serializer<ExchangeChannelCall> channelCalls,
    Serializer<ExchangeChannelReply> channelReplies, DeepCopier copier)
{
    public Serializer<ExchangeCall> Calls { get; } = calls;

    public Serializer<ReplicaResponse> Replies { get; } = replies;

    public Serializer<ExchangeChannelCall> ChannelCalls { get; } = channelCalls;

    public Serializer<ExchangeChannelReply> ChannelReplies { get; } = channelReplies;

    public DeepCopier Copier { get; } = copier;

    /// <summary>The codec of a silo's or client's serialization services.</summary>
    public static ExchangeCodec Create(IServiceProvider services) => new(
        services.GetRequiredService<Serializer<ExchangeCall>>(), services.GetRequiredService<Serializer<ReplicaResponse>>(),
        services.GetRequiredService<Serializer<ExchangeChannelCall>>(), services.GetRequiredService<Serializer<ExchangeChannelReply>>(),
        services.GetRequiredService<DeepCopier>());
}
