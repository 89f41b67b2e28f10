namespace Serve;

/// <summary>Names one deployment of one application.</summary>
[GenerateSerializer, Immutable, Alias("serve.deployment-id")]
internal readonly record struct DeploymentId([property: Id(0)] string Application, [property: Id(1)] string Name)
{
    /// <summary>The key of the deployment's grains: <c>app/deployment</c>.</summary>
    public string Key => $"{Application}/{Name}";

    public override string ToString() => Key;
}
