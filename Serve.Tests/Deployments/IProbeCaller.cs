namespace Serve.Tests.Deployments;

/// <summary>The contract of <see cref="ProbeCaller"/>.</summary>
public interface IProbeCaller
{
    /// <summary>Where the caller runs, then "&gt;", then what <see cref="IThreadSafeProbe.WhereAsync"/> answered it.</summary>
    Task<string> WhereAsync(CancellationToken cancellationToken = default);
}
