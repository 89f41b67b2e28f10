namespace Serve.Tests.Infrastructure;

/// <summary>A gateway that takes bodies of up to 256 MiB (which stream to the replica); its client waits minutes for an upload.</summary>
public sealed class UploadFixture() : EchoGatewayFixture("upload-tests", MaxRequestBodySize, Budget, TimeSpan.FromMinutes(5))
{
    public const long MaxRequestBodySize = 256L * 1024 * 1024;
    public const long Budget = 256L * 1024 * 1024;
}
