namespace Serve.Tests.Serialization;

/// <summary>A deployment whose signature names a type that cannot cross: refused when the application is built.</summary>
[Deployment]
public sealed class OpaqueSignature
{
    public Task<Opaque> MakeAsync(int secret, CancellationToken cancellationToken = default) => Task.FromResult(new Opaque(secret));
}
