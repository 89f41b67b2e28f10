using Serve.Tests.Infrastructure;

namespace Serve.Tests.Serialization;

/// <summary>
/// One silo, the embedded mode's shape: calls whose caller and replica share a process still treat values as they
/// cross between silos, so a type that cannot cross fails here first, with the type, the member and the fix.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class OneSiloSerializationTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task CallAsync_ArgumentThatCannotCross_FailsAtOnceNamingTypeMemberAndFix()
    {
        var handle = await fixture.Serve.RunAsync<IWordCounter>(Deployment.For<WordCounter>().Bind(), "opaque-argument", null);

        var error = await Assert.ThrowsAsync<TypeNotSerializableException>(() => handle.Remote.EchoAsync(new Opaque(7)));

        Assert.Contains("Argument 1 of EchoAsync on deployment 'opaque-argument/WordCounter'", error.Message);
        Assert.Contains("Serve.Tests.Serialization.Opaque._secret", error.Message);
        Assert.Contains("Fix: make it a public property", error.Message);
        await fixture.Serve.DeleteAsync("opaque-argument");
    }

    [Fact]
    public async Task CallAsync_ResultThatCannotCross_FailsNamingTypeMemberAndFixAndReplicaKeepsServing()
    {
        var handle = await fixture.Serve.RunAsync<IWordCounter>(Deployment.For<WordCounter>().Bind(), "opaque-result", null);

        var error = await Assert.ThrowsAsync<TypeNotSerializableException>(() => handle.Remote.MakeOpaqueAsync(7));

        Assert.Contains("The result of MakeOpaqueAsync (replica opaque-result/WordCounter/", error.Message);
        Assert.Contains("Serve.Tests.Serialization.Opaque._secret", error.Message);
        Assert.Equal(3, await handle.Remote.TotalLengthAsync(["one"]));
        await fixture.Serve.DeleteAsync("opaque-result");
    }

    [Fact]
    public async Task CallAsync_OneSilo_CallerAndReplicaNeverShareAnObject()
    {
        var handle = await fixture.Serve.RunAsync<IWordCounter>(Deployment.For<WordCounter>().Bind(), "copies", null);
        var sent = new CountResult { Total = 1, Counts = new() { ["x"] = 1 }, Silo = "caller" };

        var echoed = Assert.IsType<CountResult>(await handle.Remote.EchoAsync(sent));

        Assert.NotSame(sent, echoed);
        Assert.NotSame(sent.Counts, echoed.Counts);
        Assert.Equal(sent.Counts, echoed.Counts);
        await fixture.Serve.DeleteAsync("copies");
    }

    [Fact]
    public async Task RunAsync_SignatureNamesTypeThatCannotCross_RefusedBeforeDeploying()
    {
        var error = await Assert.ThrowsAsync<InvalidApplicationException>(() => fixture.Serve.RunAsync(Deployment.For<OpaqueSignature>().Bind(), "opaque-signature", null));

        Assert.Contains("deployment 'OpaqueSignature' (OpaqueSignature.MakeAsync): Serve.Tests.Serialization.Opaque._secret", error.Message);
        Assert.DoesNotContain("opaque-signature", (await fixture.Serve.GetStatusAsync()).Applications.Keys);
    }

    [Fact]
    public async Task SummarizeAsync_OneSilo_UserTypesThroughTypedAndByNameHandles()
    {
        var handle = await fixture.Serve.RunAsync<ISummarizer>(Summarizer.App(replicas: 1), "one-silo-user-types", null);
        var document = UserTypesAcrossSilosTests.Sample(3);

        var summary = await handle.Remote.SummarizeAsync(document);

        UserTypesAcrossSilosTests.AssertCounted(document, summary.Typed);
        UserTypesAcrossSilosTests.AssertCounted(document, summary.ByName);
        await fixture.Serve.DeleteAsync("one-silo-user-types");
    }
}
