namespace Serve.Tests.Deployments.Failing;

/// <summary>A service no test host registers: a deployment taking it cannot start.</summary>
public interface IFeatureStore
{
    string Get(string key);
}
