namespace Serve.Tests.Batching;

/// <summary>The one-input form of <see cref="BatchedZoo"/>'s batched method.</summary>
public interface IBatchedZoo
{
    /// <summary>Answers "model:input" with the request's model.</summary>
    Task<string> PredictAsync(string input, CancellationToken cancellationToken = default);
}
