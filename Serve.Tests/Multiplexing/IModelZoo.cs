namespace Serve.Tests.Multiplexing;

public interface IModelZoo
{
    /// <summary>Answers "model:input:instance" with the request's model.</summary>
    Task<string> PredictAsync(string input, CancellationToken cancellationToken = default);

    /// <summary>Gets the request's model, then waits on the gate; answers like <see cref="PredictAsync"/>.</summary>
    Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default);
}
