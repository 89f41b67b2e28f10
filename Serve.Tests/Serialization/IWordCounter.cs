namespace Serve.Tests.Serialization;

public interface IWordCounter
{
    Task<CountResult> CountAsync(CountRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns what it was given, typed as object: the value's runtime type decides how it travels.</summary>
    Task<object?> EchoAsync(object? value, CancellationToken cancellationToken = default);

    Task<int> TotalLengthAsync(IReadOnlyList<string> words, CancellationToken cancellationToken = default);

    /// <summary>Returns an <see cref="Opaque"/> typed as object, so only the call finds it cannot cross.</summary>
    Task<object> MakeOpaqueAsync(int secret, CancellationToken cancellationToken = default);
}
