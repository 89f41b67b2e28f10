namespace Serve.Routing;

/// <summary>The <see cref="RetryPolicy"/>'s answer: what to do, and for a retry, why (counted by reason).</summary>
internal readonly record struct RetryDecision(RetryAction Action, RetryReason? Reason = null);
