namespace MyApp;

/// <summary>The body of <c>POST /count</c>: <c>{"text": "..."}</c>.</summary>
public sealed record CountRequest(string Text);
