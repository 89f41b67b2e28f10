using Serve.Tests.Deployments;

namespace Serve.Tests.Configuration;

/// <summary>Application builders that config files in tests name by import path, e.g. <c>Serve.Tests:ConfigApps.Configured</c>.</summary>
public static class ConfigApps
{
    /// <summary>Two replicas of <see cref="Deployments.Configured"/>, which echo their user config and instance id.</summary>
    public static BoundDeployment Configured() => Deployment.For<Configured>().Bind();

    /// <summary>A greeter whose greeting comes from args (<c>greeting</c>).</summary>
    public static BoundDeployment Greeter(GreeterArgs args) => Deployment.For<Greeter>().Bind(args.Greeting);

    /// <summary>An HTTP ingress answering with its label, for gateway round trips.</summary>
    public static BoundDeployment Echo => Deployment.For<Deployments.Http.EchoIngress>().Bind("from-config");

    /// <summary>A deployment whose constructor always throws: DEPLOY_FAILED after one try.</summary>
    public static BoundDeployment Broken => Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("no weights file");

    /// <summary>Two replicas of one version of <see cref="Deployments.Rollout"/> (<c>version</c>), whose constructor throws when <c>broken</c>.</summary>
    public static BoundDeployment Rollout(RolloutArgs args) => Deployment.For<Deployments.Rollout>().Bind(args.Version, args.Broken);

    /// <summary>A batching deployment (<see cref="Batching.BatchedUpper"/>, batches of 4) whose options a config can set below its batch size.</summary>
    public static BoundDeployment Batched => Deployment.For<Batching.BatchedUpper>().Bind("config");

    public static BoundDeployment Throws() => throw new InvalidOperationException("no model file");

    public static BoundDeployment TwoParameters(int a, int b) => throw new NotSupportedException($"{a}{b}");
}
