namespace MyApp;

/// <summary>The answer of <c>POST /count</c>: <c>{"words": 4}</c>.</summary>
public sealed record CountResponse(int Words);
