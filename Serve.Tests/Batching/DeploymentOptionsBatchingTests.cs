using Newtonsoft.Json;
using Serve.Control;
using Serve.Grains;

namespace Serve.Tests.Batches;

/// <summary>
/// <see cref="DeploymentOptions.Batching"/> read back by a serializer that fills an object's existing collections in
/// place, as Orleans' Newtonsoft JSON grain storage does (its defaults: type names, preserved references, objects populated).
/// </summary>
public sealed class DeploymentOptionsBatchingTests
{
    private static readonly JsonSerializerSettings GrainStorageJson = new()
    {
        TypeNameHandling = TypeNameHandling.All,
        PreserveReferencesHandling = PreserveReferencesHandling.Objects,
        DefaultValueHandling = DefaultValueHandling.Ignore,
    };

    [Fact]
    public void Batching_ReadBackIntoNewOptions_OtherOptionsKeepNoBatching()
    {
        var stored = new DeploymentOptions { Batching = new Dictionary<string, BatchOptions> { ["Embed"] = new() { MaxBatchSize = 4 } } };

        var read = JsonConvert.DeserializeObject<DeploymentOptions>(JsonConvert.SerializeObject(stored, GrainStorageJson), GrainStorageJson);

        Assert.Equal(4, read!.Batching["Embed"].MaxBatchSize);
        Assert.Empty(new DeploymentOptions().Batching);
    }

    [Fact]
    public void Batching_ControllerStateWithSeveralDeployments_ReadsBack()
    {
        static DeploymentSpec Spec(DeploymentOptions options) => new()
        {
            Application = "app", TypeName = "T", Arguments = new List<BoundArgument>(), Options = options, CodeVersion = "v1",
        };
        var state = new ControllerState();
        // One with the default settings, one with settings of its own (as a config file gives them): two dictionaries.
        var deployments = new List<DeploymentSpec>
        {
            Spec(new DeploymentOptions { Name = "a" }),
            Spec(new DeploymentOptions { Name = "b", Batching = new Dictionary<string, BatchOptions>() }),
            Spec(new DeploymentOptions { Name = "c" }),
        };
        state.Applications["app"] = new ApplicationSpec { Name = "app", IngressDeployment = "a", Deployments = deployments };

        var read = JsonConvert.DeserializeObject<ControllerState>(JsonConvert.SerializeObject(state, GrainStorageJson), GrainStorageJson);

        Assert.Equal(["a", "b", "c"], read!.Applications["app"].Deployments.Select(d => d.Options.Name));
        Assert.All(read.Applications["app"].Deployments, d => Assert.Empty(d.Options.Batching));
    }
}
