namespace Serve;

/// <summary>An application graph or its options are wrong; nothing was deployed. <see cref="Errors"/> lists every problem.</summary>
[GenerateSerializer, Alias("serve.invalid-application-exception")]
public sealed class InvalidApplicationException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public InvalidApplicationException(string application, IReadOnlyList<string> errors)
        : base($"Application '{ServeName.Shown(application)}' is invalid; nothing was deployed:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", errors)}")
    {
        Application = application;
        Errors = errors;
    }

    /// <summary>The application.</summary>
    [Id(0)] public string Application { get; }

    /// <summary>Every problem found, each naming what is wrong and how to fix it.</summary>
    [Id(1)] public IReadOnlyList<string> Errors { get; }
}
