namespace Serve.Exchange;

/// <summary>
/// The silo closed the connection at the data plane's preface: a silo of an older release closes at a version it does
/// not speak, so the router connects again with an older preface (<see cref="ExchangeFrames.Version2Preface"/>).
/// </summary>
internal sealed class ExchangePrefaceClosedException : IOException
{
    public ExchangePrefaceClosedException(string message) : base(message)
    {
    }

    public ExchangePrefaceClosedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
