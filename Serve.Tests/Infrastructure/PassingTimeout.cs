namespace Serve.Tests.Infrastructure;

/// <summary>
/// A timeout a test lets pass while user code holds. Its length is not what is tested, but it runs from the call's start,
/// so a machine stalled that long before the call reaches its replica would end it unsent, the handler never reached
/// (CI's two cores stall for seconds): long enough to cover such a stall.
/// </summary>
internal static class PassingTimeout
{
    public static readonly TimeSpan Value = TimeSpan.FromSeconds(5);
}
