namespace Serve.Tests.Serialization;

public sealed record CountOptions(bool CaseSensitive, int Top);
