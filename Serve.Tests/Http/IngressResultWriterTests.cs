using System.Text;
using Microsoft.AspNetCore.Http;
using Serve.Http;

namespace Serve.Tests.Http;

/// <summary>An <see cref="IHttpIngress"/> result written as JSON: never a silent <c>{}</c> for an object whose state JSON cannot see.</summary>
public sealed class IngressResultWriterTests
{
    /// <summary>State in a private field only, as a new user's result class often starts.</summary>
    private sealed class PrivateScore
    {
        private readonly double _score;

        public PrivateScore(double score) => _score = score;

        public double Doubled() => _score * 2;
    }

    private sealed record PublicScore(double Score);

    private sealed class Marker;

    private static async Task<string> WriteAsync(object result)
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await IngressResultWriter.WriteAsync(context, result);
        return Encoding.UTF8.GetString(body.ToArray());
    }

    [Fact]
    public async Task WriteAsync_ObjectWithOnlyPrivateState_ThrowsNamingTheTypeAndTheFix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(new PrivateScore(0.75)));

        Assert.Contains(typeof(PrivateScore).FullName!, error.Message);
        Assert.Contains("as JSON it would be {}", error.Message);
        Assert.Contains("Fix: return a record or a class with public properties", error.Message);
    }

    [Fact]
    public async Task WriteAsync_RecordWithPublicProperties_WritesThem()
    {
        Assert.Equal("""{"score":0.75}""", await WriteAsync(new PublicScore(0.75)));
    }

    [Fact]
    public async Task WriteAsync_TypeWithNoStateAtAll_WritesAnEmptyObject()
    {
        Assert.Equal("{}", await WriteAsync(new Marker()));
    }
}
