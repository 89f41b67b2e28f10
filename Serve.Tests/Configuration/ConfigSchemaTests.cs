using System.Text.Json.Nodes;
using Serve.Cli.Commands;
using Serve.Configuration;
using Serve.Configuration.Schema;

namespace Serve.Tests.Configuration;

public sealed class ConfigSchemaTests
{
    private static string Repository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "Serve.sln")))
        {
            directory = directory.Parent ?? throw new InvalidOperationException("Serve.sln not found above the test's directory.");
        }
        return directory.FullName;
    }

    [Fact]
    public void JsonSchema_RepositoryFile_IsWhatServeSchemaWrites()
    {
        var file = File.ReadAllText(Path.Combine(Repository(), "serve.schema.json")).ReplaceLineEndings();

        // Fix: dotnet run --project Serve.Cli -- schema -o serve.schema.json
        Assert.Equal(SchemaCommand.JsonSchema().ReplaceLineEndings(), file);
    }

    [Fact]
    public void Markdown_Readme_HoldsTheTablesServeSchemaWrites()
    {
        var readme = File.ReadAllText(Path.Combine(Repository(), "README.md")).ReplaceLineEndings();

        // Fix: dotnet run --project Serve.Cli -- schema --markdown, pasted over the README's block between the markers.
        Assert.Contains(ConfigSchemaMarkdown.Write().ReplaceLineEndings(), readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Sections_EveryKey_IsDocumentedOnceWithTypeAndDefault()
    {
        Assert.All(ConfigSchema.Sections, section =>
        {
            Assert.Equal(section.Keys.Count, section.Keys.Select(k => k.Name).Distinct().Count());
            Assert.All(section.Keys, key =>
            {
                Assert.Matches("^[a-z][a-z_]*$", key.Name);
                Assert.False(string.IsNullOrWhiteSpace(key.Doc), $"{section.Name}.{key.Name} has no doc");
                Assert.False(string.IsNullOrWhiteSpace(key.Default), $"{section.Name}.{key.Name} has no default");
                Assert.False(string.IsNullOrWhiteSpace(key.TypeDescription), $"{section.Name}.{key.Name} has no type");
            });
            Assert.Empty(section.Hints.Keys.Intersect(section.Keys.Select(k => k.Name)));
        });
    }

    public static TheoryData<string> BoundSections() => ["deployments[]", "autoscaling_config", "resources", "batching.<method>"];

    [Theory]
    [MemberData(nameof(BoundSections))]
    public void Default_OfEveryKeyBoundToOptions_IsTheCodeDefault(string sectionName)
    {
        var attribute = new BatchAttribute().ToSettings();
        var (fields, written) = sectionName switch
        {
            "deployments[]" => Fields(ConfigSchema.Deployment, new DeploymentOptions()),
            "autoscaling_config" => Fields(ConfigSchema.Autoscaling, new AutoscalingConfig()),
            "resources" => Fields(ConfigSchema.Resources, new ReplicaResources()),
            _ => Fields(ConfigSchema.Batch, new BatchOptions
            {
                MaxBatchSize = attribute.MaxBatchSize, BatchWaitTimeout = attribute.BatchWaitTimeout, MaxConcurrentBatches = attribute.MaxConcurrentBatches,
            }),
        };

        Assert.NotEmpty(fields);
        Assert.All(fields, key =>
        {
            // The documented default starts with the value the code's defaults write, or "none" for an unset option.
            var expected = written.TryGetValue(key.Name, out var node) ? ConfigJson.Write(node) : "none";
            if (key.Name == "resources")
            {
                expected = "num_cpus 1";
                Assert.Equal("""{"num_cpus":1,"num_gpus":0,"memory":0}""", ConfigJson.Write(node!));
            }
            Assert.True(key.Default == expected || key.Default.StartsWith(expected + " ", StringComparison.Ordinal),
                $"{sectionName}.{key.Name}: documented default '{key.Default}', code default {expected}");
        });
    }

    private static (IReadOnlyList<ConfigKey> Fields, Dictionary<string, ConfigNode> Written) Fields<T>(ConfigSection<T> section, T defaults) =>
        ([.. section.Fields.Cast<ConfigKey>()], section.Write(defaults).ToDictionary(e => e.Key, e => e.Value));

    [Fact]
    public void JsonSchema_Deployment_ListsEveryKeyAndForbidsOthers()
    {
        var schema = ConfigSchema.ToJsonSchema();

        var deployment = schema["properties"]!["applications"]!["items"]!["properties"]!["deployments"]!["items"]!.AsObject();
        Assert.Equal(ConfigSchema.Deployment.Keys.Select(k => k.Name), deployment["properties"]!.AsObject().Select(p => p.Key));
        Assert.False(deployment["additionalProperties"]!.GetValue<bool>());
        var maxOngoing = deployment["properties"]!["max_ongoing_requests"]!.AsObject();
        Assert.Equal(("integer", 1), (maxOngoing["type"]!.GetValue<string>(), maxOngoing["minimum"]!.GetValue<int>()));
        Assert.Equal(["mean", "max", "min"], deployment["properties"]!["autoscaling_config"]!["properties"]!["aggregation_function"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.IsType<JsonObject>(schema["properties"]!["http_options"]);
    }

    [Fact]
    public void Describe_ThenParse_GivesTheSameOptions()
    {
        var options = new DeploymentOptions
        {
            Name = "Scorer",
            MaxOngoingRequests = 9,
            MaxQueuedRequests = 100,
            UserConfig = """{"threshold":0.5}""",
            HealthCheckPeriod = TimeSpan.FromSeconds(2.5),
            GracefulShutdownTimeout = TimeSpan.Zero,
            Resources = new ReplicaResources { NumCpus = 0.5, Memory = 1 << 20, Custom = new Dictionary<string, double> { ["gpu:t4"] = 1 } },
            MaxReplicasPerSilo = 2,
            Autoscaling = new AutoscalingConfig { MinReplicas = 0, MaxReplicas = 7, InitialReplicas = 2, DownscaleToZeroDelay = TimeSpan.FromSeconds(90), Aggregation = AutoscalingAggregation.Max },
            Batching = new Dictionary<string, BatchOptions> { ["Score"] = new() { MaxBatchSize = 32, BatchWaitTimeout = TimeSpan.FromMilliseconds(5) } },
        };
        var problems = new ConfigProblems();

        var entry = DeploymentConfigParser.Bind(ServeConfigWriter.Describe(options), "d", problems);

        Assert.Empty(problems.Errors);
        Assert.Equal(options, entry!.ApplyTo(new DeploymentOptions { Name = "Scorer" }));
    }
}
