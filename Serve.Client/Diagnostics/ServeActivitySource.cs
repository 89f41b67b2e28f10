using System.Diagnostics;

namespace Serve.Diagnostics;

/// <summary>Serve's one <see cref="ActivitySource"/>, <c>Serve</c>, and the attributes of its spans.</summary>
internal static class ServeActivitySource
{
    public const string Name = "Serve";

    public static readonly ActivitySource Instance = new(Name);
}
