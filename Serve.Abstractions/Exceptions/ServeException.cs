namespace Serve;

/// <summary>The root of every error Serve reports; it crosses silos and processes.</summary>
[GenerateSerializer, Alias("serve.exception")]
public class ServeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServeException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ServeException(string message, Exception? innerException) : base(message, innerException) { }
}
