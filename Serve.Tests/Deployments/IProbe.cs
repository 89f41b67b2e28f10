namespace Serve.Tests.Deployments;

/// <summary>The contract of the test deployments: small calls that expose what happened inside the replica.</summary>
public interface IProbe
{
    /// <summary>Returns this instance's id (new for every constructed instance).</summary>
    Task<string> WhoAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits on the gate named <paramref name="gate"/>, then returns the instance id.</summary>
    Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default);

    /// <summary>Throws InvalidOperationException with <paramref name="message"/>.</summary>
    Task<string> FailAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Yields <paramref name="first"/>, waits on the gate, then yields <paramref name="second"/>.</summary>
    IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default);
}
