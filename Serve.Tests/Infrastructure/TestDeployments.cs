using Serve.Hosting;

namespace Serve.Tests.Infrastructure;

/// <summary>The assemblies whose classes test silos build as replicas: the tests' own deployments and the samples.</summary>
public static class TestDeployments
{
    public static void Register(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var assembly in new[] { typeof(TestDeployments).Assembly, typeof(Serve.Samples.SampleCatalog).Assembly })
        {
            if (!options.DeploymentAssemblies.Contains(assembly))
            {
                options.DeploymentAssemblies.Add(assembly);
            }
        }
    }
}
