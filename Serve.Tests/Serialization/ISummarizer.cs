namespace Serve.Tests.Serialization;

public interface ISummarizer
{
    Task<Summary> SummarizeAsync(Document document, CancellationToken cancellationToken = default);
}
