using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Trust;

public sealed class InsecureClusterWarningTests
{
    [Fact]
    public async Task StartAsync_RedisModeAllowedInsecure_LogsWarningNamingTheSetting()
    {
        var logger = new RecordingLogger<InsecureClusterWarning>();
        var options = new ServeClusterOptions { Mode = ClusterMode.Redis, AllowInsecure = true, ClusterId = "prod" };

        await new InsecureClusterWarning(Options.Create(options), logger).StartAsync(CancellationToken.None);

        var record = Assert.Single(logger.Records);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal(ServeEvents.ClusterInsecure, record.Id.Id);
        Assert.Contains("Serve:Cluster:AllowInsecure=true", record.Message);
    }

    [Fact]
    public async Task StartAsync_EmbeddedMode_LogsNothing()
    {
        var logger = new RecordingLogger<InsecureClusterWarning>();

        await new InsecureClusterWarning(Options.Create(new ServeClusterOptions { AllowInsecure = true }), logger).StartAsync(CancellationToken.None);

        Assert.Empty(logger.Records);
    }
}
