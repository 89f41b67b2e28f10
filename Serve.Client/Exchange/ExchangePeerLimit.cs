namespace Serve.Exchange;

/// <summary>
/// The frame limit a peer announced in its preface (version 3 on), and the setting it comes from: frames sent to it stay
/// within it (<see cref="ExchangeWire.MaxSendBytes"/>), and an error for one that would not names its setting.
/// </summary>
internal readonly record struct ExchangePeerLimit(int MaxFrameBytes, string Setting);
