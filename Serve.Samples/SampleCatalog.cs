using Serve.Samples.BasicIngress;
using Serve.Samples.Composition;
using Serve.Samples.FirstDeployment;
using Serve.Samples.Multiplexed;

namespace Serve.Samples;

/// <summary>The seed's examples, by the name given on the command line.</summary>
public static class SampleCatalog
{
    /// <summary>Every example, in the seed's order.</summary>
    public static IReadOnlyList<SampleApp> All { get; } =
    [
        new("first-deployment", "/first", MyFirstDeployment.App, PrintsHandleResult: true),
        new("composition", "/composition", Ingress.App, PrintsHandleResult: true),
        new("basic-ingress", "/basic", MostBasicIngress.App, PrintsHandleResult: false),
        new("fastapi-ingress", "/fastapi", FastApiIngress.FastApiIngress.App, PrintsHandleResult: false),
        new("multiplexed", "/multiplexed", ClassifierZoo.App, PrintsHandleResult: false),
    ];
}
