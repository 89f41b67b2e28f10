using System.Diagnostics;
using Serve.Grains;

namespace Serve.Diagnostics;

/// <summary>
/// OpenTelemetry's <c>exception</c> event of a failed span: <c>exception.type</c>, <c>exception.message</c> and, where the
/// exception was thrown in this process by the code the span covers, <c>exception.stacktrace</c> (as
/// <see cref="Exception.ToString"/> writes it, the .NET runtime's natural form). Each text is bounded: an exception quoting
/// a whole input (megabytes) would otherwise go into every exported span that it failed.
/// </summary>
internal static class ExceptionEvent
{
    /// <summary>The event's name in OpenTelemetry's conventions.</summary>
    public const string Name = "exception";

    public const string TypeTag = "exception.type";

    public const string MessageTag = "exception.message";

    public const string StackTraceTag = "exception.stacktrace";

    /// <summary>The longest <c>exception.message</c>, in characters.</summary>
    public const int MaxMessageChars = 4 * 1024;

    /// <summary>The longest <c>exception.stacktrace</c>, in characters.</summary>
    public const int MaxStackTraceChars = 16 * 1024;

    /// <summary>
    /// The event of <paramref name="exception"/>; with its stack trace only when <paramref name="withStackTrace"/>.
    /// <see cref="Exception.ToString"/> never holds a <see cref="DeploymentCallException.RemoteStackTrace"/>, so even with
    /// it the event carries no stack of another replica.
    /// </summary>
    public static ActivityEvent Of(Exception exception, bool withStackTrace)
    {
        var tags = new ActivityTagsCollection
        {
            [TypeTag] = exception.GetType().FullName ?? exception.GetType().Name,
            [MessageTag] = ReplicaFault.Cut(exception.Message, MaxMessageChars),
        };
        if (withStackTrace)
        {
            tags[StackTraceTag] = ReplicaFault.Cut(exception.ToString(), MaxStackTraceChars);
        }
        return new ActivityEvent(Name, tags: tags);
    }
}
