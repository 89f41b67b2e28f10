namespace Serve.Samples.Text;

/// <summary>The JSON body of a request to the text pipeline: <c>{"text": "..."}</c>.</summary>
public sealed record AnalyzeRequest(string Text);
