namespace Serve.Samples.Text;

/// <summary>The <c>args</c> of the text pipeline in a config file (snake_case keys: <c>max_tokens</c>).</summary>
public sealed record TextPipelineArgs
{
    /// <summary>Most words the tokenizer keeps from one text. Default is 512.</summary>
    public int MaxTokens { get; init; } = 512;
}
