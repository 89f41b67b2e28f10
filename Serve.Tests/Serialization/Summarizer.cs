namespace Serve.Tests.Serialization;

/// <summary>Composes the counter through a typed handle and through a by-name handle, passing the user's own types both ways.</summary>
[Deployment]
public sealed class Summarizer(DeploymentHandle<IWordCounter> typed, DeploymentHandle byName, ILocalSiloDetails silo) : ISummarizer
{
    public async Task<Summary> SummarizeAsync(Document document, CancellationToken cancellationToken = default)
    {
        var request = new CountRequest(document.Body, document.StopWords, new CountOptions(CaseSensitive: false, Top: document.Meta.Top ?? 3));
        var viaTyped = await typed.Remote.CountAsync(request, cancellationToken);
        var viaName = await byName.Method("Count").CallAsync<CountResult>([request], cancellationToken);
        return new Summary(document.Title, viaTyped, viaName, silo.SiloAddress.ToString());
    }

    /// <param name="replicas">The summarizer's replicas.</param>
    /// <param name="counters">The counter's; fewer than the silos, so some summarizers call it on another silo.</param>
    public static BoundDeployment App(int replicas, int counters = 1)
    {
        var counter = Deployment.For<WordCounter>().Options(o => o with { NumReplicas = counters }).Bind();
        return Deployment.For<Summarizer>().Options(o => o with { NumReplicas = replicas }).Bind(counter, counter);
    }
}
