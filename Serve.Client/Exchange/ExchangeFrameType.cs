namespace Serve.Exchange;

/// <summary>What a data-plane frame carries (<see cref="ExchangeFrames"/>).</summary>
internal enum ExchangeFrameType : byte
{
    /// <summary>Router to silo: an HTTP exchange for one of the silo's replicas (<see cref="ExchangeCall"/>).</summary>
    Call = 1,

    /// <summary>Silo to router: the replica's answer to a call (a <see cref="Grains.ReplicaResponse"/>).</summary>
    Reply = 2,

    /// <summary>Router to silo: the caller cancelled the call; no payload.</summary>
    Cancel = 3,

    /// <summary>
    /// Silo to router: a replica's call to its gateway's channel (<see cref="ExchangeChannelCall"/>), under an id of its
    /// own for the reply. Only for a call that asked for it (<see cref="ExchangeCall.ChannelsOnDataPlane"/>).
    /// </summary>
    ChannelCall = 4,

    /// <summary>Router to silo: the gateway's answer to a channel call (<see cref="ExchangeChannelReply"/>), under the channel call's id.</summary>
    ChannelReply = 5,

    /// <summary>
    /// Router to silo: is it still there? No payload; the call id is the ping's number. Only to a silo that answered the
    /// preface with version 3 or later (<see cref="ExchangeFrames.PingVersion"/>).
    /// </summary>
    Ping = 6,

    /// <summary>Silo to router: the answer to a <see cref="Ping"/>, under its number; no payload.</summary>
    Pong = 7,
}
