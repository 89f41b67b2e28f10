using Serve.Replicas;
using Serve.Tests.Deployments;

namespace Serve.Tests.Runtime;

/// <summary>
/// What a same-silo call carries and leaves behind, whether it runs as a turn of the replica or on its caller's thread: as
/// in a message, the request context travels and the caller's other async-locals do not; the caller goes on with its own
/// context; a call without a request context sees none of the last one's; a caller that suppressed the flow is served
/// and finds it still suppressed. Every call goes direct.
/// </summary>
internal static class CallerContextCheck
{
    /// <param name="contextAsync">Calls the replica's <c>ContextAsync(key)</c>: its request context's value, a bar, and <see cref="DirectProbe.CallerLocal"/>.</param>
    /// <param name="replica">The replica's direct path, whose calls are counted.</param>
    /// <param name="key">The request context key the calls carry.</param>
    public static async Task RunAsync(Func<string, Task<string>> contextAsync, InProcessReplica replica, string key)
    {
        var before = replica.Calls;
        DirectProbe.CallerLocal.Value = "caller";
        RequestContext.Set(key, "carried");
        try
        {
            Assert.Equal("carried|none", await contextAsync(key));
            Assert.Equal("caller", DirectProbe.CallerLocal.Value);
            Assert.Equal("carried", RequestContext.Get(key));
            RequestContext.Clear();
            Assert.Equal("none|none", await contextAsync(key));
            Assert.Equal("caller", DirectProbe.CallerLocal.Value);
            Task<string> suppressedCall;
            using (ExecutionContext.SuppressFlow())
            {
                suppressedCall = contextAsync(key);
                Assert.True(ExecutionContext.IsFlowSuppressed());
            }
            Assert.Equal("none|none", await suppressedCall);
        }
        finally
        {
            RequestContext.Clear();
            DirectProbe.CallerLocal.Value = null;
        }
        Assert.Equal(before + 3, replica.Calls);
    }
}
