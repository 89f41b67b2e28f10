namespace Serve.Exchange;

/// <summary>
/// A preface read from a peer (<see cref="ExchangeWire.ReadPrefaceAsync"/>): the version it names (0 when the peer sent
/// something else, -1 when it closed first), and from version 3 on the frame limit it announced.
/// </summary>
internal readonly record struct ExchangePreface(int Version, ExchangePeerLimit? Limit = null);
