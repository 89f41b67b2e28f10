namespace Serve.Tests.Serialization;

public sealed class DocumentMeta
{
    public DateTimeOffset Written { get; set; }

    public HashSet<string> Tags { get; set; } = [];

    public int? Top { get; set; }
}
