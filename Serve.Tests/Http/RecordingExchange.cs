using Serve.Http;

namespace Serve.Tests.Http;

/// <summary>An exchange for router tests: begun once the replica pushed its head to <paramref name="recorded"/>.</summary>
internal sealed class RecordingExchange(IHttpExchangeChannel channel, RecordingExchangeChannel recorded) : IHttpExchange
{
    public IHttpExchangeChannel Channel => channel;

    public long Id => 1;

    public bool Begun => recorded.Head is not null;
}
