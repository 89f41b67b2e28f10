namespace Serve.Tests.Deployments.Composition;

/// <summary>A node of a linked structure an application passes between deployments (crosses as JSON: it has no codec).</summary>
public sealed class GraphNode
{
    public int Value { get; set; }

    public GraphNode? Next { get; set; }

    /// <summary>A chain of <paramref name="length"/> nodes.</summary>
    public static GraphNode Chain(int length)
    {
        var head = new GraphNode { Value = 0 };
        var node = head;
        for (var i = 1; i < length; i++)
        {
            node = node.Next = new GraphNode { Value = i };
        }
        return head;
    }

    /// <summary>How many nodes follow from this one, itself included.</summary>
    public int Length()
    {
        var count = 0;
        for (var node = this; node is not null && count <= 1_000_000; node = node.Next)
        {
            count++;
        }
        return count;
    }
}
