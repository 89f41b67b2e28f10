namespace Serve.Diagnostics;

/// <summary>
/// An expected failure (a silo gone, a poll refused) in one log line: the exception's type and message, without the
/// stack trace that would turn a worker kill into thousands of lines.
/// </summary>
internal static class ErrorText
{
    public static string Of(Exception error) => $"{error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")}";
}
