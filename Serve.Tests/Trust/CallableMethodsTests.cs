using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Trust.Targets;

namespace Serve.Tests.Trust;

/// <summary>Which methods of a deployment a caller may run by name (the method table's filter).</summary>
public sealed class CallableMethodsTests
{
    [Theory]
    [InlineData("GetType", 0)]
    [InlineData("ToString", 0)]
    [InlineData("GetHashCode", 0)]
    [InlineData("Equals", 1)]
    public void Find_ObjectMethodOnDeployment_Refused(string method, int arguments)
    {
        Assert.Throws<MissingMethodException>(() => MethodTable.For(typeof(Greeter)).Find(method, arguments));
    }

    [Theory]
    [InlineData("ToString", 0)]
    [InlineData("Write", 1)]
    [InlineData("Flush", 0)]
    [InlineData("Dispose", 0)]
    [InlineData("GetStringBuilder", 0)]
    [InlineData("Close", 0)]
    public void Find_MemberInheritedFromFrameworkBaseClassOrOverridden_Refused(string method, int arguments)
    {
        Assert.Throws<MissingMethodException>(() => MethodTable.For(typeof(WriterDeployment)).Find(method, arguments));
    }

    [Fact]
    public void Find_OwnMethodOfDeploymentWithFrameworkBase_Found()
    {
        Assert.Equal("EchoAsync", MethodTable.For(typeof(WriterDeployment)).Find("Echo", 1).Method.Name);
    }

    [Theory]
    [InlineData("Equals", 1)]
    [InlineData("ToString", 0)]
    [InlineData("<Clone>$", 0)]
    [InlineData("Dispose", 0)]
    public void Find_RecordAndDisposeMembers_Refused(string method, int arguments)
    {
        Assert.Throws<MissingMethodException>(() => MethodTable.For(typeof(RecordDeployment)).Find(method, arguments));
    }

    [Fact]
    public void Find_OwnMethodOfRecord_Found()
    {
        Assert.Equal("Twice", MethodTable.For(typeof(RecordDeployment)).Find("Twice", 1).Method.Name);
    }

    [Theory]
    [InlineData("CheckHealth")]
    [InlineData("Initialize")]
    [InlineData("ReconfigureAsync")]
    public void Find_LifecycleHook_Refused(string method)
    {
        var table = MethodTable.For(typeof(HookedDeployment));

        Assert.Throws<MissingMethodException>(() => table.Find(method, method.StartsWith("Reconfigure", StringComparison.Ordinal) ? 1 : 0));
    }

    [Fact]
    public void Find_ExplicitImplementationOfOwnInterface_Found()
    {
        Assert.Equal(typeof(HookedDeployment), MethodTable.For(typeof(HookedDeployment)).Find("Twice", 1).Method.DeclaringType);
    }

    [Fact]
    public void Find_UnknownName_ListsOnlyCallableMethods()
    {
        var error = Assert.Throws<MissingMethodException>(() => MethodTable.For(typeof(WriterDeployment)).Find("Nope", 0));

        Assert.EndsWith("Its methods: Echo, EchoAsync.", error.Message);
    }

    [Fact]
    public void Find_HttpIngressWithNoCallableMethod_SaysSoAndNamesTheFix()
    {
        // GetAppHandleAsync<IEmbedder>() on an application whose ingress only serves HTTP.
        var error = Assert.Throws<MissingMethodException>(() => MethodTable.For(typeof(Serve.Samples.FastApiIngress.FastApiIngress)).Find("EmbedAsync", 1));

        Assert.Equal(
            "FastApiIngress has no public method 'EmbedAsync', nor any other a handle can call (an HTTP ingress is called over HTTP). " +
            "Fix: call the deployment that has it, GetDeploymentHandle<T>(deploymentName, applicationName), or give the ingress that method.",
            error.Message);
    }

    [Theory]
    [InlineData(typeof(Serve.Samples.BasicIngress.MostBasicIngress), "HandleAsync", 1)]
    [InlineData(typeof(Serve.Samples.FastApiIngress.FastApiIngress), "MapEndpoints", 1)]
    public void Find_HttpIngressContractMethod_Refused(Type deployment, string method, int arguments)
    {
        // The gateway calls these through the replica's HTTP host; a handle must not (Serve.Http is Serve's own).
        Assert.Throws<MissingMethodException>(() => MethodTable.For(deployment).Find(method, arguments));
    }
}
