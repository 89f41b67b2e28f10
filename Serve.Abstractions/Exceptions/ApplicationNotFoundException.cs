namespace Serve;

/// <summary>No application of that name is deployed.</summary>
[GenerateSerializer, Alias("serve.application-not-found-exception")]
public sealed class ApplicationNotFoundException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public ApplicationNotFoundException(string application)
        : base($"Application '{application}' is not deployed.")
    {
        Application = application;
    }

    /// <summary>Creates the exception with what exists instead (near names, the applications there are).</summary>
    internal ApplicationNotFoundException(string application, string whatExists)
        : base($"Application '{application}' is not deployed: {whatExists}")
    {
        Application = application;
    }

    /// <summary>The application asked for.</summary>
    [Id(0)] public string Application { get; }
}
