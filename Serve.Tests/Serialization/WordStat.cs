namespace Serve.Tests.Serialization;

public sealed record WordStat(string Word, int Count);
