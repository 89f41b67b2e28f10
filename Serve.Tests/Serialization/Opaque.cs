namespace Serve.Tests.Serialization;

/// <summary>A type JSON cannot carry: its state is a private field.</summary>
public sealed class Opaque(int secret)
{
    private readonly int _secret = secret;

    public int Reveal() => _secret;
}
