namespace Serve.Samples.Text;

/// <summary>Splits text into the words the scorer looks up.</summary>
public interface ITokenizer
{
    /// <summary>The words of <paramref name="text"/>, normalised, at most the tokenizer's limit.</summary>
    Task<string[]> TokenizeAsync(string text, CancellationToken cancellationToken = default);
}
