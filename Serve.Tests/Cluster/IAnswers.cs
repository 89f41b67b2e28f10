namespace Serve.Tests.Cluster;

/// <summary>The contract of <see cref="Answers"/>.</summary>
public interface IAnswers
{
    /// <summary>After <paramref name="milliseconds"/>, a string of <paramref name="length"/> characters.</summary>
    Task<string> TextAsync(int length, int milliseconds = 0, CancellationToken cancellationToken = default);
}
