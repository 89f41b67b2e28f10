using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Serve.Control;
using Serve.Deployments;
using Serve.Grains;
using Serve.Storage;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

/// <summary>The controller's and deployments' stored state: plain JSON with no type names, and old records still read.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ServeStateSerializerTests(SingleSiloFixture fixture)
{
    [Fact]
    public void Serialize_ControllerAndDeploymentState_CarriesNoTypeNames()
    {
        var controller = Encoding.UTF8.GetString(ServeStateSerializer.Instance.Serialize(ControllerState()).ToArray());
        var deployment = Encoding.UTF8.GetString(ServeStateSerializer.Instance.Serialize(DeploymentState()).ToArray());

        foreach (var json in new[] { controller, deployment })
        {
            Assert.DoesNotContain("$type", json);
            Assert.DoesNotContain("$id", json);
            Assert.DoesNotContain("Serve.Grains.", json);
            Assert.DoesNotContain("Serve.Control.", json);
            Assert.DoesNotContain("Serve.Deployments.DeploymentGrainState", json);
            Assert.DoesNotContain("System.Collections.Generic", json);
        }
        // The bound argument's own type name is data the replica checks, not a type the store builds.
        Assert.Contains("\"TypeName\":\"Serve.Tests.Deployments.Greeter, Serve.Tests\"", controller);
    }

    [Fact]
    public void Deserialize_WhatSerializeWrote_EqualState()
    {
        var state = DeploymentState();

        var read = ServeStateSerializer.Instance.Deserialize<DeploymentGrainState>(ServeStateSerializer.Instance.Serialize(state))!;

        Assert.Equal(state.Spec, read.Spec);
        Assert.Equal((state.NextReplicaNumber, state.AutoscaledTarget, state.AutoscalingReason), (read.NextReplicaNumber, read.AutoscaledTarget, read.AutoscalingReason));
        Assert.Equal(state.Replicas.Select(r => (r.Id, r.CodeVersion, r.State, r.Silo)), read.Replicas.Select(r => (r.Id, r.CodeVersion, r.State, r.Silo)));
    }

    [Fact]
    public void Deserialize_StateWrittenByOrleansDefaultJson_ReadWithItsTypeNamesIgnored()
    {
        var orleansJson = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainStorageSerializer>();
        Assert.IsType<JsonGrainStorageSerializer>(orleansJson);
        var controller = ControllerState();
        var deployment = DeploymentState();
        var oldController = orleansJson.Serialize(controller);
        Assert.Contains("$type", oldController.ToString());

        var readController = ServeStateSerializer.Instance.Deserialize<ControllerState>(oldController)!;
        var readDeployment = ServeStateSerializer.Instance.Deserialize<DeploymentGrainState>(orleansJson.Serialize(deployment))!;

        Assert.Equal(controller.Applications["app"], readController.Applications["app"]);
        Assert.Equal(deployment.Spec, readDeployment.Spec);
        Assert.Equal(deployment.Replicas.Select(r => (r.Id, r.State)), readDeployment.Replicas.Select(r => (r.Id, r.State)));
    }

    [Fact]
    public void Deserialize_LegacyRecordNamingAnotherType_BuildsTheDeclaredType()
    {
        var forged = """{"$id":"1","$type":"System.IO.FileInfo, System.Private.CoreLib","Applications":{"$id":"2","$type":"System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[Serve.Grains.ApplicationSpec, Serve.Client]], System.Private.CoreLib"}}""";

        var read = ServeStateSerializer.Instance.Deserialize<ControllerState>(BinaryData.FromString(forged));

        Assert.IsType<ControllerState>(read);
        Assert.Empty(read!.Applications);
    }

    [Fact]
    public void ToPlain_SharedObjectWrittenOnceThenReferenced_CopiedToEachPlace()
    {
        var legacy = System.Text.Json.Nodes.JsonNode.Parse("""{"$id":"1","$type":"T","A":{"$id":"2","$type":"U","X":1},"B":{"$ref":"2"},"C":{"$type":"L","$values":[{"$ref":"2"}]}}""");

        var plain = LegacyJsonState.ToPlain(legacy)!.ToJsonString();

        Assert.Equal("""{"A":{"X":1},"B":{"X":1},"C":[{"X":1}]}""", plain);
    }

    [Fact]
    public void Deserialize_ControllerStateWithDroppedDeployments_RoundTrips()
    {
        var state = ControllerState();
        state.Dropped = [new DeploymentId("app", "OldIngress"), new DeploymentId("app", "Model")];
        state.RouteVersion = 638_000_000_000_000_001;

        var read = ServeStateSerializer.Instance.Deserialize<ControllerState>(ServeStateSerializer.Instance.Serialize(state))!;

        Assert.Equal(state.Dropped.OrderBy(d => d.Key), read.Dropped.OrderBy(d => d.Key));
        Assert.Equal(state.RouteVersion, read.RouteVersion);
    }

    [Fact]
    public void Deserialize_ControllerStateOfAReleaseBeforeDroppedDeployments_LoadsWithNoneDroppedAndNoRouteVersion()
    {
        // What the release before stored: applications and deletes, no dropped deployments, no route version.
        var old = System.Text.Json.Nodes.JsonNode.Parse(ServeStateSerializer.Instance.Serialize(ControllerState()))!.AsObject();
        Assert.True(old.Remove("Dropped"));
        Assert.True(old.Remove("RouteVersion"));
        old["Deleting"] = new System.Text.Json.Nodes.JsonArray("app");

        var read = ServeStateSerializer.Instance.Deserialize<ControllerState>(BinaryData.FromString(old.ToJsonString()))!;

        Assert.Equal(ControllerState().Applications["app"], read.Applications["app"]);
        Assert.Equal(["app"], read.Deleting);
        Assert.NotNull(read.Dropped);
        Assert.Empty(read.Dropped);
        Assert.Equal(0, read.RouteVersion);
    }

    private static ControllerState ControllerState() => new()
    {
        Applications = new()
        {
            ["app"] = new ApplicationSpec
            {
                Name = "app",
                RoutePrefix = "/app",
                IngressDeployment = "Greeter",
                Deployments = [Spec()],
                RequestTimeout = TimeSpan.FromSeconds(3),
            },
        },
    };

    private static DeploymentGrainState DeploymentState() => new()
    {
        Spec = Spec(),
        Replicas = [new ReplicaRecord { Id = "app/Greeter/abc/0", CodeVersion = "abc", State = ReplicaState.Running, Silo = "S127.0.0.1:11111:1" }],
        NextReplicaNumber = 1,
        AutoscaledTarget = 2,
        AutoscalingReason = "load",
    };

    private static DeploymentSpec Spec() => new()
    {
        Application = "app",
        TypeName = "Serve.Tests.Deployments.Greeter, Serve.Tests",
        Arguments = [new BoundArgument { Json = "\"Hello\"", TypeName = typeof(string).AssemblyQualifiedName }],
        Options = new DeploymentOptions
        {
            Name = "Greeter",
            NumReplicas = 2,
            UserConfig = """{"x":1}""",
            Resources = new ReplicaResources { NumCpus = 0.5, Custom = new Dictionary<string, double> { ["accelerator:a100"] = 1 } },
            Autoscaling = AutoscalingConfig.Auto,
        },
        CodeVersion = "abc",
    };
}
