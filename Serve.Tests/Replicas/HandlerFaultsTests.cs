using System.Text.Json;
using Serve.Replicas;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Replicas;

/// <summary>Which failures of a replica's handlers are news to its operator.</summary>
public sealed class HandlerFaultsTests
{
    [Fact]
    public void Judge_FirstOfItsKind_First()
    {
        var faults = new HandlerFaults();

        Assert.Equal(HandlerFault.First, faults.Judge("PredictAsync", new InvalidOperationException("a"), status: null, cancelled: false));
    }

    [Fact]
    public void Judge_SameHandlerTypeAndStatusAgain_Again()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", new InvalidOperationException("a"), 500, cancelled: false);

        Assert.Equal(HandlerFault.Again, faults.Judge("PredictAsync", new InvalidOperationException("another message"), 500, cancelled: false));
    }

    [Fact]
    public void Judge_SameRootInsideAWrapper_Again()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", new KeyNotFoundException(), null, cancelled: false);

        Assert.Equal(HandlerFault.Again, faults.Judge("PredictAsync", new AggregateException(new KeyNotFoundException()), null, cancelled: false));
    }

    [Fact]
    public void Judge_OtherHandlerTypeOrStatus_FirstOfEach()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", new InvalidOperationException(), 500, cancelled: false);

        Assert.Equal(HandlerFault.First, faults.Judge("EmbedAsync", new InvalidOperationException(), 500, cancelled: false));
        Assert.Equal(HandlerFault.First, faults.Judge("PredictAsync", new KeyNotFoundException(), 500, cancelled: false));
        Assert.Equal(HandlerFault.First, faults.Judge("PredictAsync", new InvalidOperationException(), 200, cancelled: false));
    }

    public static TheoryData<Exception> NotBugs() => new()
    {
        new OperationCanceledException(),
        new TaskCanceledException(),
        new TimeoutException(),
        new BackPressureException("front", 10),
        new RequestTimeoutException("front", "r1"),
        new InvalidOperationException("wrapped", new OperationCanceledException()),
    };

    [Theory]
    [MemberData(nameof(NotBugs))]
    public void Judge_CancellationTimeoutOrBackPressure_ExpectedEvenTheFirstTime(Exception error)
    {
        var faults = new HandlerFaults();

        Assert.Equal(HandlerFault.Expected, faults.Judge("PredictAsync", error, null, cancelled: false));
    }

    [Fact]
    public void Judge_CallCancelled_ExpectedWhateverItThrew()
    {
        var faults = new HandlerFaults();

        // A read that failed because the client went away.
        Assert.Equal(HandlerFault.Expected, faults.Judge("http", new IOException("gone"), 500, cancelled: true));
        // And it did not count as the kind's first.
        Assert.Equal(HandlerFault.First, faults.Judge("http", new IOException("gone"), 500, cancelled: false));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(415)]
    [InlineData(422)]
    [InlineData(499)]
    public void Judge_ClientErrorStatus_ExpectedEvenTheFirstTime(int status)
    {
        var faults = new HandlerFaults();

        // A client's bad JSON, met after the response began, or a handler that answered 4xx and then threw: one request's
        // event, not the deployment's bug.
        Assert.Equal(HandlerFault.Expected, faults.Judge("http", BadJson(), status, cancelled: false));
        Assert.Equal(HandlerFault.Expected, faults.Judge("http", BadJson(), status, cancelled: false));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public void Judge_ServerErrorStatus_FirstThenAgain(int status)
    {
        var faults = new HandlerFaults();

        Assert.Equal(HandlerFault.First, faults.Judge("http", BadJson(), status, cancelled: false));
        Assert.Equal(HandlerFault.Again, faults.Judge("http", BadJson(), status, cancelled: false));
    }

    [Fact]
    public void RootType_FrameworksInternalRoot_ItsPublicBase()
    {
        var error = BadJson();
        // System.Text.Json wraps its reader's internal JsonReaderException: the root is no type an operator can look up.
        Assert.False(error.GetBaseException().GetType().IsVisible);

        Assert.Equal(typeof(JsonException), HandlerFaults.RootType(error));
    }

    [Fact]
    public void RootType_DeploymentsOwnInternalType_NamedAsItIs()
    {
        Assert.Equal(typeof(ModelNotReadyException), HandlerFaults.RootType(new AggregateException(new ModelNotReadyException())));
    }

    [Fact]
    public void Judge_FrameworkInternalRootAndItsPublicBase_OneKind()
    {
        var faults = new HandlerFaults();
        faults.Judge("PredictAsync", BadJson(), null, cancelled: false);

        Assert.Equal(HandlerFault.Again, faults.Judge("PredictAsync", new JsonException("thrown by the handler itself"), null, cancelled: false));
    }

    /// <summary>What System.Text.Json throws for JSON it cannot read: a JsonException carrying its reader's internal one.</summary>
    private static JsonException BadJson() => Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Item>("{\"id\": "));

    private sealed class ModelNotReadyException : Exception;

    [Fact]
    public void Judge_PastMaxKinds_UntrackedButKnownKindsStillAgain()
    {
        var faults = new HandlerFaults();
        for (var i = 0; i < HandlerFaults.MaxKinds; i++)
        {
            Assert.Equal(HandlerFault.First, faults.Judge($"Method{i}", new InvalidOperationException(), null, cancelled: false));
        }

        Assert.Equal(HandlerFault.Untracked, faults.Judge("OneMore", new InvalidOperationException(), null, cancelled: false));
        Assert.Equal(HandlerFault.Untracked, faults.Judge("OneMore", new InvalidOperationException(), null, cancelled: false));
        Assert.Equal(HandlerFault.Again, faults.Judge("Method0", new InvalidOperationException(), null, cancelled: false));
    }
}
