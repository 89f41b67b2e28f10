namespace Serve.Samples;

/// <summary>A deployment that answers a call with text: the C# face of Ray's <c>__call__</c> returning a string.</summary>
public interface IMessage
{
    /// <summary>Returns the deployment's text.</summary>
    Task<string> CallAsync(CancellationToken cancellationToken = default);
}
