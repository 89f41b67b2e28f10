namespace Serve.Forwarding;

/// <summary>
/// How the gateway answers an exception the application let out (a <see cref="DeploymentCallException"/>), by the type
/// at its root: a deployment the application called that was full (<see cref="BackPressureException"/>), had nothing
/// running (<see cref="DeploymentUnavailableException"/>) or lost the replica running the call
/// (<see cref="ReplicaUnavailableException"/>) is Serve's capacity, not the application's bug: 503, as the gateway
/// answers these of its own calls, and <c>Retry-After</c> for a full one, so clients and load balancers retry rather than
/// count a server error. A call of the application's that ran out of its time (<see cref="RequestTimeoutException"/>) is
/// 504, as a proxy answers for an upstream that did not answer in time (the gateway's own timeout stays 408). Anything
/// else is 500.
/// </summary>
internal static class ApplicationFault
{
    private static readonly HashSet<string> Unavailable =
    [
        typeof(BackPressureException).FullName!,
        typeof(DeploymentUnavailableException).FullName!,
        typeof(ReplicaUnavailableException).FullName!,
    ];

    /// <summary>The HTTP status for an application's exception whose root type is <paramref name="exceptionType"/>.</summary>
    public static int StatusOf(string exceptionType) =>
        Unavailable.Contains(exceptionType) ? 503 : exceptionType == typeof(RequestTimeoutException).FullName ? 504 : 500;

    /// <summary>Whether the answer says when to try again: a full deployment frees up, one that failed may not.</summary>
    public static bool RetryLater(string exceptionType) => exceptionType == typeof(BackPressureException).FullName;

    /// <summary>The answer's <c>error</c>.</summary>
    public static string ErrorOf(string exceptionType) => StatusOf(exceptionType) switch
    {
        503 => "a deployment the application called could not take the request",
        504 => "a deployment the application called did not answer in time",
        _ => "the application raised an exception",
    };
}
