using Serve.Grains;

namespace Serve.Tests.Composition;

public sealed class ReplicaFaultTests
{
    [Fact]
    public void MessageOf_InnerExceptions_NamedAfterTheMessage()
    {
        var error = new InvalidOperationException("could not load the model",
            new FileNotFoundException("weights.bin is missing", new UnauthorizedAccessException("no read permission")));

        Assert.Equal("could not load the model ---> System.IO.FileNotFoundException: weights.bin is missing ---> System.UnauthorizedAccessException: no read permission",
            ReplicaFault.MessageOf(error));
    }

    [Fact]
    public void MessageOf_AggregateException_ItsOwnMessageWhichListsThemAlready()
    {
        var error = new AggregateException(new InvalidOperationException("a"), new ArgumentException("b"));

        Assert.Equal(error.Message, ReplicaFault.MessageOf(error));
    }

    [Fact]
    public void MessageOf_HugeMessage_CutAndSaysHowMuch()
    {
        var message = ReplicaFault.MessageOf(new InvalidOperationException(new string('x', 10_000_000)));

        Assert.StartsWith(new string('x', ReplicaFault.MaxMessageChars) + "… (", message);
        Assert.EndsWith($"({10_000_000 - ReplicaFault.MaxMessageChars} more characters cut)", message);
    }

    [Fact]
    public void Cut_AtASurrogatePair_KeepsThePairWhole()
    {
        var text = new string('x', 9) + "😀" + "tail";

        var cut = ReplicaFault.Cut(text, 10);

        Assert.Equal(new string('x', 9) + "… (6 more characters cut)", cut);
        Assert.Equal(text, ReplicaFault.Cut(text, text.Length));
    }

    [Fact]
    public void TypeOf_FailedDeploymentCallLetOut_TheTypeAtItsRoot()
    {
        var below = new DeploymentCallException("app/model", "app/model/r/0", "RunAsync", "Serve.BackPressureException", "Deployment 'app/post' is at capacity", "  at Model.RunAsync()");

        Assert.Equal("Serve.BackPressureException", ReplicaFault.TypeOf(below));
        Assert.Equal(below.Message, ReplicaFault.MessageOf(below));
        Assert.Contains("at Model.RunAsync()", ReplicaFault.DetailsOf(below));
        Assert.Equal("System.InvalidOperationException", ReplicaFault.TypeOf(new InvalidOperationException()));
    }

    [Fact]
    public void DetailsOf_InnerException_HasItsTypeMessageAndStackBounded()
    {
        Exception error;
        try
        {
            try
            {
                throw new FileNotFoundException("weights.bin is missing");
            }
            catch (Exception inner)
            {
                throw new InvalidOperationException("could not load the model", inner);
            }
        }
        catch (Exception e)
        {
            error = e;
        }

        var details = ReplicaFault.DetailsOf(error);

        Assert.Contains("System.IO.FileNotFoundException: weights.bin is missing", details);
        Assert.Contains(nameof(DetailsOf_InnerException_HasItsTypeMessageAndStackBounded), details);
        Assert.True(ReplicaFault.DetailsOf(new InvalidOperationException(new string('x', 1_000_000))).Length < ReplicaFault.MaxDetailsChars + 100);
    }
}
