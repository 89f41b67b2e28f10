using System.Text;

namespace Serve.Grains;

/// <summary>
/// What a replica tells its caller about an exception its user code let out (<see cref="ReplicaResponse.Faulted"/>):
/// its type, its message and the details a debugger wants, each bounded.
/// <list type="bullet">
/// <item>A <see cref="DeploymentCallException"/> the code did not handle (a deployment it called failed) passes on the type
/// of the exception at its root, so a caller three deployments up, and the HTTP gateway, can still tell an overloaded
/// model (<see cref="BackPressureException"/>) or a user's own exception type from a bug; its message keeps the whole path
/// (<c>RunAsync of deployment 'app/model' (replica …) threw …</c>).</item>
/// <item>Inner exceptions are named in the message (<c> ---&gt; Type: message</c>), as <see cref="Exception.ToString"/>
/// does: "could not load the model" alone hides the missing file that caused it.</item>
/// <item>A message is cut at <see cref="MaxMessageChars"/> characters and the details at <see cref="MaxDetailsChars"/>, the
/// cut said so: an exception quoting a whole input (megabytes) would otherwise travel through every deployment of a
/// composition, into the HTTP answer and the gateway's log. The replica's own log (Debug) has it whole.</item>
/// </list>
/// </summary>
internal static class ReplicaFault
{
    /// <summary>The longest message a caller receives, in characters.</summary>
    public const int MaxMessageChars = 16 * 1024;

    /// <summary>The longest details (the exception as <see cref="Exception.ToString"/> writes it: inner exceptions, stack traces), in characters.</summary>
    public const int MaxDetailsChars = 64 * 1024;

    /// <summary>The full name of the exception's type, or of the one at the root of a deployment call that failed.</summary>
    public static string TypeOf(Exception exception) =>
        exception is DeploymentCallException call ? call.ExceptionType : exception.GetType().FullName ?? exception.GetType().Name;

    /// <summary>Its message, with those of its inner exceptions, bounded.</summary>
    public static string MessageOf(Exception exception)
    {
        if (exception is DeploymentCallException || exception is AggregateException || exception.InnerException is null)
        {
            // A deployment call's message already names its root; an AggregateException's lists its inner exceptions.
            return Cut(exception.Message, MaxMessageChars);
        }
        var text = new StringBuilder(exception.Message);
        for (var inner = exception.InnerException; inner is not null && text.Length <= MaxMessageChars; inner = inner.InnerException)
        {
            text.Append(" ---> ").Append(inner.GetType().FullName).Append(": ").Append(inner.Message);
        }
        return Cut(text.ToString(), MaxMessageChars);
    }

    /// <summary>
    /// The exception as <see cref="Exception.ToString"/> writes it (type, message, inner exceptions, stack traces), and
    /// for a deployment call that failed, the details the replica that failed sent; bounded.
    /// </summary>
    public static string DetailsOf(Exception exception)
    {
        var text = exception.ToString();
        if (exception is DeploymentCallException { RemoteStackTrace: { } remote })
        {
            text = $"{text}{Environment.NewLine}--- inside {((DeploymentCallException)exception).ReplicaId} ---{Environment.NewLine}{remote}";
        }
        return Cut(text, MaxDetailsChars);
    }

    /// <summary><paramref name="text"/>, or its first <paramref name="max"/> characters and how many more were cut.</summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        // Never half a surrogate pair: the rest of the text would not encode.
        var keep = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return $"{text.AsSpan(0, keep)}… ({text.Length - keep} more characters cut)";
    }
}
