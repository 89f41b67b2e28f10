using System.Text.Json;
using Serve.Serialization;

namespace Serve.Tests.Serialization;

public sealed class JsonNestingTests
{
    [Theory]
    [InlineData("$", 0)]
    [InlineData("$.Next", 1)]
    [InlineData("$.Items[3].Next", 3)]
    public void DepthOf_Path_CountsItsLevels(string path, int depth) => Assert.Equal(depth, JsonNesting.DepthOf(path));

    [Fact]
    public void Problem_RefusedAtTheDepthLimit_SaysSoWithTheFixAndWithoutSystemTextJsonsAdvice()
    {
        var path = "$" + string.Concat(Enumerable.Repeat(".Next", JsonNesting.MaxDepth));
        var refused = new InvalidOperationException("wrapped", new JsonException("A possible object cycle was detected. Consider using ReferenceHandler.Preserve", path, null, null));

        var problem = JsonNesting.Problem(refused);

        Assert.NotNull(problem);
        Assert.StartsWith("it nests deeper than 64 levels or holds a cycle", problem);
        Assert.Contains("at $.Next.Next", problem);
        Assert.Contains("[GenerateSerializer]", problem);
        Assert.DoesNotContain("ReferenceHandler", problem);
    }

    [Fact]
    public void Problem_OtherJsonFailure_None()
    {
        Assert.Null(JsonNesting.Problem(new JsonException("The JSON value could not be converted", "$.Next.Value", null, null)));
        Assert.Null(JsonNesting.Problem(new InvalidOperationException("no path")));
    }
}
