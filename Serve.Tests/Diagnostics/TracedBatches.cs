using System.Diagnostics;

namespace Serve.Tests.Diagnostics;

/// <summary>
/// A batching deployment whose model code traces itself, as a team's would around an ONNX run: each batch starts a
/// <c>model.run</c> span of the deployment's own activity source, tagged with the deployment's key.
/// </summary>
public sealed class TracedBatches(string key)
{
    public const string SourceName = "Serve.Tests.Model";

    private static readonly ActivitySource Source = new(SourceName);

    [Batch(MaxBatchSize = 4, BatchWaitTimeoutMs = 10_000)]
    public Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        using var run = Source.StartActivity("model.run");
        run?.SetTag("key", key);
        if (inputs.Contains("bad"))
        {
            throw new InvalidOperationException("bad input");
        }
        return Task.FromResult<IReadOnlyList<string>>(inputs.Select(i => i.ToUpperInvariant()).ToList());
    }
}
