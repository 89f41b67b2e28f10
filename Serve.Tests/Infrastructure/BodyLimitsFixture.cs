namespace Serve.Tests.Infrastructure;

/// <summary>
/// A gateway with full-size bodies allowed (16 MiB; those over 64 KiB stream) and a small budget for bodies held at
/// once (32 MiB).
/// </summary>
public sealed class BodyLimitsFixture() : EchoGatewayFixture("body-tests", MaxRequestBodySize, Budget, TimeSpan.FromSeconds(30))
{
    public const long MaxRequestBodySize = 16 * 1024 * 1024;
    public const long Budget = 32 * 1024 * 1024;
}
