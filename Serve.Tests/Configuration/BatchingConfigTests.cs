using Serve.Configuration;

namespace Serve.Tests.Configuration;

/// <summary>A config file's <c>batching</c> entries: bound with their problems named, and merged over the code's field by field.</summary>
public sealed class BatchingConfigTests
{
    private static (ServeConfig? Config, IReadOnlyList<string> Errors) Parse(string deployment)
    {
        var problems = new ConfigProblems();
        var config = ServeConfigParser.Parse($"""
            applications:
              - name: a
                import_path: Serve.Tests:ConfigApps.Configured
                deployments:
                  - name: Embedder
            {deployment}
            """, problems);
        return (config, problems.Errors);
    }

    [Fact]
    public void Parse_Batching_BindsEachMethodsSettings()
    {
        var (config, errors) = Parse("""
                    batching:
                      EmbedAsync: {max_batch_size: 32, batch_wait_timeout_s: 0.005, max_concurrent_batches: 2}
                      Rank: {max_batch_size: 8}
            """);

        Assert.Empty(errors);
        var batching = config!.Applications[0].Deployments[0].Batching!;
        Assert.Equal(new BatchOptions { MaxBatchSize = 32, BatchWaitTimeout = TimeSpan.FromMilliseconds(5), MaxConcurrentBatches = 2 }, batching["EmbedAsync"]);
        Assert.Equal(new BatchOptions { MaxBatchSize = 8 }, batching["Rank"]);
    }

    [Fact]
    public void Parse_BadBatchingValues_ReportsEachWithItsPath()
    {
        var (_, errors) = Parse("""
                    batching:
                      EmbedAsync: {max_batch_size: 0, batch_wait_timeout_s: -1, max_batch: 3}
                      Rank: 12
            """);

        Assert.Contains(errors, e => e.Contains("applications[0].deployments[0].batching.EmbedAsync.max_batch_size") && e.Contains("≥ 1"));
        Assert.Contains(errors, e => e.Contains("batching.EmbedAsync.batch_wait_timeout_s"));
        Assert.Contains(errors, e => e.Contains("batching.EmbedAsync.max_batch") && e.Contains("Did you mean 'max_batch_size'?"));
        Assert.Contains(errors, e => e.Contains("batching.Rank") && e.Contains("must be a mapping"));
    }

    [Fact]
    public void ApplyTo_BatchingInConfigAndCode_ConfigWinsFieldByField()
    {
        var code = new DeploymentOptions
        {
            Name = "Embedder",
            Batching = new Dictionary<string, BatchOptions> { ["EmbedAsync"] = new() { MaxBatchSize = 16, MaxConcurrentBatches = 2 } },
        };
        var entry = new DeploymentConfig
        {
            Path = "p",
            Name = "Embedder",
            Batching = new Dictionary<string, BatchOptions> { ["EmbedAsync"] = new() { MaxBatchSize = 32 } },
        };

        var options = entry.ApplyTo(code);

        Assert.Equal(new BatchOptions { MaxBatchSize = 32, MaxConcurrentBatches = 2 }, options.Batching["EmbedAsync"]);
        Assert.Equal(options, entry.ApplyTo(code));
        Assert.NotEqual(code, options);
    }
}
