namespace Serve.Benchmarks.Chaos;

/// <summary>How one HTTP request of the chaos load ended, as its client saw it.</summary>
internal enum RequestOutcome : byte
{
    /// <summary>No answer yet; at the end of the run, lost.</summary>
    Pending,
    Succeeded,
    /// <summary>503 naming the replica lost mid-call: the request was not idempotent, so it was not retried.</summary>
    ReplicaUnavailable,
    /// <summary>Any other 503 (back-pressure, deployment not found).</summary>
    ServiceUnavailable,
    BadGateway,
    RequestTimeout,
    ServerError,
    /// <summary>Any other status, or an unexpected client error.</summary>
    Other,
    ConnectionError,
    /// <summary>No answer within the client's timeout: lost.</summary>
    ClientTimeout,
}
