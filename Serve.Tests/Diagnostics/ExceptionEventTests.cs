using Serve.Diagnostics;

namespace Serve.Tests.Diagnostics;

public sealed class ExceptionEventTests
{
    [Fact]
    public void Of_Thrown_TypeMessageAndStackTraceAsOpenTelemetryNamesThem()
    {
        var thrown = Throw(new InvalidOperationException("model file missing", new FileNotFoundException("weights.onnx")));

        var e = ExceptionEvent.Of(thrown, withStackTrace: true);

        Assert.Equal("exception", e.Name);
        Assert.Equal(("System.InvalidOperationException", "model file missing"), (Tag(e, "exception.type"), Tag(e, "exception.message")));
        // The runtime's natural form: the inner exception and the frames that threw.
        Assert.Equal(thrown.ToString(), Tag(e, "exception.stacktrace"));
        Assert.Contains(nameof(Throw), Tag(e, "exception.stacktrace"), StringComparison.Ordinal);
    }

    [Fact]
    public void Of_WithoutStackTrace_TypeAndMessageOnly()
    {
        var e = ExceptionEvent.Of(Throw(new InvalidOperationException("no")), withStackTrace: false);

        Assert.Equal(["exception.message", "exception.type"], e.Tags.Select(t => t.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Of_HugeMessageAndStack_EachCutAtItsBoundAndSaysSo()
    {
        var huge = new string('x', 1_000_000);

        var e = ExceptionEvent.Of(Throw(new ArgumentException(huge)), withStackTrace: true);

        Assert.StartsWith(new string('x', ExceptionEvent.MaxMessageChars) + "… (", Tag(e, "exception.message"), StringComparison.Ordinal);
        Assert.EndsWith(" more characters cut)", Tag(e, "exception.message"), StringComparison.Ordinal);
        Assert.True(Tag(e, "exception.stacktrace")!.Length < ExceptionEvent.MaxStackTraceChars + 64);
        Assert.EndsWith(" more characters cut)", Tag(e, "exception.stacktrace"), StringComparison.Ordinal);
    }

    [Fact]
    public void Of_DeploymentCallWithAReplicasStack_ThatStackInNoTag()
    {
        var call = new DeploymentCallException("app/model", "app/model/v1/0", "RunAsync", "System.InvalidOperationException", "bad input",
            remoteStackTrace: "   at Secret.Model.RunAsync() in /srv/model/Secret.cs:line 42");

        var e = ExceptionEvent.Of(Throw(new InvalidOperationException("wrapped", call)), withStackTrace: true);

        Assert.All(e.Tags, t => Assert.DoesNotContain("Secret.cs", (string)t.Value!, StringComparison.Ordinal));
    }

    private static string? Tag(System.Diagnostics.ActivityEvent e, string key) => e.Tags.FirstOrDefault(t => t.Key == key).Value as string;

    private static Exception Throw(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
