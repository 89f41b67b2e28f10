namespace Serve;

/// <summary>An application reached DEPLOY_FAILED while it was being run.</summary>
[GenerateSerializer, Alias("serve.deploy-failed-exception")]
public sealed class DeployFailedException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public DeployFailedException(string application, string reason)
        : base($"Application '{application}' failed to deploy: {reason}")
    {
        Application = application;
        Reason = reason;
    }

    /// <summary>The application.</summary>
    [Id(0)] public string Application { get; }

    /// <summary>Why, as the status shows it.</summary>
    [Id(1)] public string Reason { get; }
}
