namespace Serve;

/// <summary>
/// A value passed to or returned from a deployment cannot cross between processes: its type has no Orleans codec and
/// JSON would not bring it back whole. The message names the type, the member and the fix. Raised on every call with
/// such a value, in a one-process cluster as in a multi-silo one.
/// </summary>
[GenerateSerializer, Alias("serve.type-not-serializable-exception")]
public sealed class TypeNotSerializableException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public TypeNotSerializableException(string message) : base(message) { }
}
