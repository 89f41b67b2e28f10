using Grpc.Core;

namespace Serve.Http;

/// <summary>
/// The gRPC status for a Serve failure a gRPC call met, by the type at its root (<see cref="Grains.ReplicaFault.TypeOf"/>),
/// as <c>ApplicationFault</c> decides the HTTP status: a deployment the call reached, however many calls down, that was
/// full (<see cref="BackPressureException"/>) is RESOURCE_EXHAUSTED, one with nothing running
/// (<see cref="DeploymentUnavailableException"/>) or that lost the replica running it (<see cref="ReplicaUnavailableException"/>)
/// UNAVAILABLE, and one that took longer than its timeout (<see cref="RequestTimeoutException"/>) DEADLINE_EXCEEDED. The
/// gateway answers these of its own calls alike. Anything else has none here: it stays UNKNOWN, as Grpc.AspNetCore answers a
/// handler's exception.
/// </summary>
internal static class GrpcFault
{
    private static readonly Dictionary<string, StatusCode> Codes = new(StringComparer.Ordinal)
    {
        [typeof(BackPressureException).FullName!] = StatusCode.ResourceExhausted,
        [typeof(DeploymentUnavailableException).FullName!] = StatusCode.Unavailable,
        [typeof(ReplicaUnavailableException).FullName!] = StatusCode.Unavailable,
        [typeof(RequestTimeoutException).FullName!] = StatusCode.DeadlineExceeded,
    };

    /// <summary>The status for a failure whose root type is <paramref name="exceptionType"/>; null when it is not Serve's to map.</summary>
    public static StatusCode? StatusOf(string exceptionType) => Codes.TryGetValue(exceptionType, out var code) ? code : null;
}
