namespace Serve;

/// <summary>A call's deadline (<see cref="CallOptions.Timeout"/>) passed; its work was cancelled.</summary>
[GenerateSerializer, Alias("serve.request-timeout-exception")]
public sealed class RequestTimeoutException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public RequestTimeoutException(string deployment, string requestId)
        : base($"Request {requestId} to deployment '{deployment}' passed its deadline and was cancelled.")
    {
        Deployment = deployment;
        RequestId = requestId;
    }

    /// <summary>The deployment, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>The request's id.</summary>
    [Id(1)] public string RequestId { get; }
}
