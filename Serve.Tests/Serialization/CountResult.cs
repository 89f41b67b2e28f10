namespace Serve.Tests.Serialization;

/// <summary>A user's mutable class with a dictionary, a list of records and settable properties, and no Orleans attribute.</summary>
public sealed class CountResult
{
    public int Total { get; set; }

    public Dictionary<string, int> Counts { get; set; } = [];

    public List<WordStat> Top { get; set; } = [];

    /// <summary>The silo of the replica that counted.</summary>
    public string Silo { get; set; } = "";
}
