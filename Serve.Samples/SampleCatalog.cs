using Serve.Samples.BasicIngress;
using Serve.Samples.Composition;
using Serve.Samples.Embeddings;
using Serve.Samples.FirstDeployment;
using Serve.Samples.Grpc;
using Serve.Samples.Multiplexed;

namespace Serve.Samples;

/// <summary>The examples, by the name given on the command line: the seed's four, then the embedding model.</summary>
public static class SampleCatalog
{
    /// <summary>Every example: the seed's, in its order, then the others.</summary>
    public static IReadOnlyList<SampleApp> All { get; } =
    [
        new("first-deployment", "/first", MyFirstDeployment.App, PrintsHandleResult: true),
        new("composition", "/composition", Ingress.App, PrintsHandleResult: true),
        new("basic-ingress", "/basic", MostBasicIngress.App, PrintsHandleResult: false),
        new("fastapi-ingress", "/fastapi", FastApiIngress.FastApiIngress.App, PrintsHandleResult: false),
        new("multiplexed", "/multiplexed", ClassifierZoo.App, PrintsHandleResult: false),
        new("embeddings", "/embeddings", EmbeddingsApi.App, PrintsHandleResult: false),
        new("grpc", "/grpc", GreeterIngress.App, PrintsHandleResult: false),
    ];
}
