namespace Serve.Replicas;

/// <summary>
/// Which failures of a replica's handlers are news: the first of each kind (handler or method, the root exception's
/// public type, the status answered) is, repeats are not, and neither is a call that ended because it was cancelled, its
/// client went, it timed out or a deployment it called was full, nor a request its client got wrong (a 4xx): that is the
/// client's mistake, one request's event, not a bug of the deployment's. Remembers at most <see cref="MaxKinds"/> kinds.
/// Safe from any thread.
/// </summary>
internal sealed class HandlerFaults
{
    /// <summary>The most kinds remembered; past them every new kind is <see cref="HandlerFault.Untracked"/>.</summary>
    public const int MaxKinds = 1024;

    private readonly Lock _gate = new();
    private readonly HashSet<(string Handler, Type Root, int? Status)> _seen = [];

    /// <summary>
    /// Judges a failure of <paramref name="handler"/>; <paramref name="status"/> is the HTTP status the failure answers
    /// (null for a method call), <paramref name="cancelled"/> whether the call's own token was cancelled (its caller or
    /// client went).
    /// </summary>
    public HandlerFault Judge(string handler, Exception error, int? status, bool cancelled)
    {
        if (cancelled || status is >= 400 and < 500 || IsExpected(error))
        {
            return HandlerFault.Expected;
        }
        var kind = (handler, RootType(error), status);
        lock (_gate)
        {
            if (_seen.Contains(kind))
            {
                return HandlerFault.Again;
            }
            if (_seen.Count >= MaxKinds)
            {
                return HandlerFault.Untracked;
            }
            _seen.Add(kind);
            return HandlerFault.First;
        }
    }

    /// <summary>
    /// The type a failure's kind is told by: that of the exception at the root of <paramref name="error"/> (the one a
    /// wrapper, an aggregate or a reflection call, carries), as <see cref="PublicType"/> names it.
    /// </summary>
    public static Type RootType(Exception error) => PublicType(error.GetBaseException().GetType());

    /// <summary>
    /// <paramref name="type"/>, or, when it is a framework's internal type (System.Text.Json's <c>JsonReaderException</c>),
    /// its nearest public base (<see cref="System.Text.Json.JsonException"/>): the type an operator can look up and a
    /// handler can catch. A deployment's own types are named as they are, internal or not.
    /// </summary>
    public static Type PublicType(Type type)
    {
        while (!type.IsVisible && IsFramework(type.Assembly) && type.BaseType is { } baseType && baseType != typeof(object))
        {
            type = baseType;
        }
        return type;
    }

    private static bool IsFramework(System.Reflection.Assembly assembly) =>
        assembly.GetName().Name is { } name
        && (name is "System" or "mscorlib" or "netstandard"
            || name.StartsWith("System.", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.", StringComparison.Ordinal)
            || name.StartsWith("Orleans.", StringComparison.Ordinal));

    private static bool IsExpected(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException or TimeoutException or BackPressureException or RequestTimeoutException)
            {
                return true;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Count > 1)
            {
                return aggregate.InnerExceptions.All(IsExpected);
            }
        }
        return false;
    }
}
