using Serve.Applications;

namespace Serve.Tests.Applications;

public sealed class MethodShapesTests
{
    [Fact]
    public void Build_GenericInterfaceMethod_RefusedNamingTheMethod()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<GenericEcho>().Bind(), "app", null));

        Assert.Equal(
            "deployment 'GenericEcho' (GenericEcho.EchoAsync): the method is generic, and a handle call names a method, never its type arguments. Fix: one non-generic method per type it takes.",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void Build_OutAndRefParameters_RefusedNamingEachParameter()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<ByReference>().Bind(), "app", null));

        Assert.Equal(2, error.Errors.Count);
        Assert.StartsWith("deployment 'ByReference' (ByReference.TryParse): parameter 'value' is passed by reference (out)", error.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith("deployment 'ByReference' (ByReference.Bump): parameter 'count' is passed by reference (ref)", error.Errors[1], StringComparison.Ordinal);
        Assert.All(error.Errors, e => Assert.Contains("Fix:", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_OverloadsWithTheSameArgumentCount_RefusedNamingBoth()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<Overloaded>().Bind(), "app", null));

        Assert.Equal(
            "deployment 'Overloaded' (Overloaded.FindAsync): the overloads FindAsync(Int32) and FindAsync(String) take the same number of arguments, and a handle call finds its method by name and number of arguments, so one would be called with the other's. Fix: give them different names.",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void Build_OverloadsWithDifferentArgumentCounts_Accepted()
    {
        var spec = ApplicationGraph.Build(Deployment.For<OverloadedByCount>().Bind(), "app", null);

        Assert.Equal("OverloadedByCount", Assert.Single(spec.Deployments).Name);
    }

    [Fact]
    public void Build_StreamParameter_RefusedNamingTheFix()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<StreamLength>().Bind(), "app", null));

        Assert.Equal(
            "deployment 'StreamLength' (StreamLength.LengthAsync): Stream cannot cross between processes (a stream has no codec). Fix: take or return its bytes (byte[], ReadOnlyMemory<byte>), or read the upload in an HTTP ingress (IHttpIngress, IHttpEndpoints), which streams request bodies.",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void Build_StreamResult_RefusedNamingTheTypeAsWritten()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<StreamOpener>().Bind(), "app", null));

        // Before: "Task`1 cannot cross", the runtime's name of Task<Stream>.
        Assert.StartsWith("deployment 'StreamOpener' (StreamOpener.OpenAsync): Task<Stream> cannot cross between processes (a stream has no codec).", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    public interface IGenericEcho { Task<T> EchoAsync<T>(T value, CancellationToken ct = default); }

    public sealed class GenericEcho : IGenericEcho
    {
        public Task<T> EchoAsync<T>(T value, CancellationToken ct) => Task.FromResult(value);
    }

    public sealed class ByReference
    {
        public bool TryParse(string text, out int value) => int.TryParse(text, out value);

        public void Bump(ref int count) => count++;
    }

    public interface IFinder
    {
        Task<string> FindAsync(int id, CancellationToken ct = default);

        Task<string> FindAsync(string name, CancellationToken ct = default);
    }

    public sealed class Overloaded : IFinder
    {
        public Task<string> FindAsync(int id, CancellationToken ct) => Task.FromResult("by id");

        public Task<string> FindAsync(string name, CancellationToken ct) => Task.FromResult("by name");
    }

    public sealed class OverloadedByCount
    {
        public Task<string> FindAsync(string name, CancellationToken ct) => Task.FromResult(name);

        public Task<string> FindAsync(string first, string last, CancellationToken ct) => Task.FromResult(first + last);
    }

    public interface IStreamLength { Task<long> LengthAsync(Stream body, CancellationToken ct = default); }

    public sealed class StreamLength : IStreamLength
    {
        public Task<long> LengthAsync(Stream body, CancellationToken ct) => Task.FromResult(body.Length);
    }

    public sealed class StreamOpener
    {
        public Task<Stream> OpenAsync() => Task.FromResult<Stream>(new MemoryStream([1, 2, 3]));
    }
}
