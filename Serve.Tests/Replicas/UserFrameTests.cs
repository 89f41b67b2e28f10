using Serve.Replicas;

namespace Serve.Tests.Replicas;

/// <summary>The frame of the deployment's own code a failed start names.</summary>
public sealed class UserFrameTests
{
    private sealed class Model
    {
        public Model(string path) => File.ReadAllText(path);

        public static async Task InitializeAsync()
        {
            await Task.Yield();
            throw new InvalidOperationException("MODEL_HOME is not set");
        }
    }

    [Fact]
    public void Of_ThrownInsidePlatformCodeCalledByTheUser_NamesTheUsersFrame()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new Model(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.onnx")));

        var frame = UserFrame.Of(error);

        Assert.NotNull(frame);
        Assert.StartsWith("Serve.Tests.Replicas.UserFrameTests+Model..ctor in UserFrameTests.cs:line ", frame);
    }

    [Fact]
    public async Task Of_ThrownInAnAsyncMethod_NamesTheMethodNotItsStateMachine()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(Model.InitializeAsync);

        Assert.StartsWith("Serve.Tests.Replicas.UserFrameTests+Model.InitializeAsync in UserFrameTests.cs:line ", UserFrame.Of(error));
    }

    [Fact]
    public void Of_NoStack_Null()
    {
        Assert.Null(UserFrame.Of(new InvalidOperationException("never thrown")));
    }
}
