using System.Text.Json;
using Serve.Configuration;
using Serve.Samples.Text;

namespace Serve.Tests.Configuration;

public sealed class ServeConfigResolverTests
{
    private static IReadOnlyList<string> Errors(string text) =>
        Assert.Throws<InvalidConfigException>(() => ResolvedConfig.Load(text)).Errors;

    [Fact]
    public void Load_TextPipeline_ConfigOverCodeOverDefaults()
    {
        var config = ResolvedConfig.Load("""
            http_options: {request_timeout_s: 3}
            applications:
              - name: text
                route_prefix: /text
                import_path: Serve.Samples:TextPipeline
                args: {max_tokens: 64}
                deployments:
                  - name: Tokenizer
                    num_replicas: 3
                    user_config: {stop_words: [the]}
                  - name: SentimentScorer
                    autoscaling_config: {max_replicas: 6}
            """);

        var spec = Assert.Single(config.Applications);
        Assert.Equal(("text", "/text", "TextPipeline", TimeSpan.FromSeconds(3)), (spec.Name, spec.RoutePrefix, spec.IngressDeployment, spec.RequestTimeout));
        var tokenizer = spec.Deployments.Single(d => d.Name == "Tokenizer");
        // Given in the file: replicas and user config. From the code ([Deployment]): MaxOngoingRequests 16. Defaults: the rest.
        Assert.Equal((3, 16, """{"stop_words":["the"]}""", TimeSpan.FromSeconds(10)),
            (tokenizer.Options.NumReplicas, tokenizer.Options.MaxOngoingRequests, tokenizer.Options.UserConfig, tokenizer.Options.HealthCheckPeriod));
        Assert.Equal("64", Assert.Single(tokenizer.Arguments).Json);
        var scorer = spec.Deployments.Single(d => d.Name == "SentimentScorer");
        Assert.Equal((1, 6, 32), (scorer.Options.Autoscaling!.MinReplicas, scorer.Options.Autoscaling.MaxReplicas, scorer.Options.MaxOngoingRequests));
        var ingress = spec.Deployments.Single(d => d.Name == "TextPipeline");
        Assert.Equal(Deployment.For<TextPipeline>().DeploymentOptions, ingress.Options);
        Assert.NotNull(spec.Config);
    }

    [Fact]
    public void Load_SampleConfigFile_IsValid()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (!System.IO.File.Exists(Path.Combine(repository.FullName, "Serve.sln")))
        {
            repository = repository.Parent!;
        }

        var config = ResolvedConfig.Load(System.IO.File.ReadAllText(Path.Combine(repository.FullName, "Serve.Samples", "Text", "text-pipeline.yaml")));

        var spec = Assert.Single(config.Applications);
        Assert.Equal(("text", "/text", 3), (spec.Name, spec.RoutePrefix, spec.Deployments.Count));
        Assert.Equal(4, spec.Deployments.Single(d => d.Name == "SentimentScorer").Options.Autoscaling!.MaxReplicas);
    }

    [Fact]
    public void Load_SameTextTwice_GivesEqualSpecs()
    {
        const string text = "applications: [{name: t, import_path: 'Serve.Samples:TextPipeline', deployments: [{name: Tokenizer, user_config: {stop_words: [a]}}]}]";

        Assert.Equal(ResolvedConfig.Load(text).Applications, ResolvedConfig.Load(text).Applications);
        Assert.NotEqual(ResolvedConfig.Load(text).Applications, ResolvedConfig.Load(text.Replace("[a]", "[b]", StringComparison.Ordinal)).Applications);
    }

    [Fact]
    public void Load_ImportPathForms_ResolveToTheSameBuilder()
    {
        var specs = new[] { "Serve.Samples:TextPipeline", "Serve.Samples:TextPipeline.App", "Serve.Samples:Serve.Samples.Text.TextPipeline.App" }
            .Select(path => ResolvedConfig.Load($"applications: [{{name: t, import_path: '{path}'}}]").Applications.Single())
            .ToList();

        Assert.All(specs, spec => Assert.Equal(specs[0], spec with { Config = specs[0].Config }));
    }

    [Fact]
    public void Load_ArgsIntoARecord_UnknownArgRejected()
    {
        var greeter = ResolvedConfig.Load("applications: [{import_path: 'Serve.Tests:ConfigApps.Greeter', args: {greeting: Hi}}]").Applications.Single();

        Assert.Equal("\"Hi\"", greeter.Deployments.Single().Arguments[0].Json);
        var error = Assert.Single(Errors("applications: [{import_path: 'Serve.Tests:ConfigApps.Greeter', args: {greting: Hi}}]"));
        Assert.StartsWith("applications[0].args: cannot be read as the GreeterArgs that Serve.Tests.Configuration.ConfigApps.Greeter takes:", error);
        Assert.Contains("greting", error);
    }

    [Fact]
    public void Load_ResolutionProblems_EachReportedWithItsPath()
    {
        var errors = Errors("""
            applications:
              - {name: a, route_prefix: /a, import_path: "No.Such.Assembly:App"}
              - {name: b, route_prefix: /b, import_path: "Serve.Tests:ConfigApps.Missing"}
              - {name: c, route_prefix: /c, import_path: "Serve.Tests:ConfigApps.Throws"}
              - {name: d, route_prefix: /d, import_path: "Serve.Tests:ConfigApps.TwoParameters"}
              - {name: e, route_prefix: /e, import_path: "Serve.Tests:ConfigApps.Configured", args: {x: 1}}
              - name: f
                route_prefix: /f
                import_path: Serve.Samples:TextPipeline
                deployments: [{name: Tokenizr, num_replicas: 1}]
            """);

        Assert.Equal(6, errors.Count);
        Assert.StartsWith("applications[0].import_path: assembly 'No.Such.Assembly' is not loaded in this process (process ", errors[0]);
        Assert.Contains("Fix: give this gateway the setting Serve:Assemblies:0=path/to/No.Such.Assembly.dll (environment: Serve__Assemblies__0=path/to/No.Such.Assembly.dll", errors[0]);
        Assert.Contains("with `serve run`, pass --assembly path/to/No.Such.Assembly.dll", errors[0]);
        Assert.Equal("applications[1].import_path: Serve.Tests.Configuration.ConfigApps has no public static member 'Missing' returning BoundDeployment.", errors[1]);
        Assert.Equal("applications[2].import_path: Serve.Tests.Configuration.ConfigApps.Throws threw InvalidOperationException: no model file", errors[2]);
        Assert.StartsWith("applications[3].import_path: Serve.Tests.Configuration.ConfigApps.TwoParameters is not an application builder:", errors[3]);
        Assert.Equal("applications[4].args: Serve.Tests.Configuration.ConfigApps.Configured takes no arguments. Fix: remove args, or give the builder a parameter to receive them.", errors[4]);
        Assert.Equal("applications[5].deployments[0].name: 'Tokenizr' is not a deployment of Serve.Samples:TextPipeline. Its deployments: TextPipeline, Tokenizer, SentimentScorer.", errors[5]);
    }

    [Fact]
    public void Load_MisspelledAssembly_SuggestsTheLoadedOneWithBuilders()
    {
        var error = Assert.Single(Errors("applications: [{import_path: 'Serve.Sampels:TextPipeline'}]"));

        Assert.StartsWith("applications[0].import_path: assembly 'Serve.Sampels' is not loaded in this process (process ", error);
        Assert.Contains("which applies the config. Did you mean 'Serve.Samples'? Assemblies with application builders loaded here: ", error);
        Assert.Contains(" Fix: give this gateway the setting Serve:Assemblies:0=path/to/Serve.Sampels.dll", error);
    }

    [Fact]
    public void Load_UnknownTypeInAssembly_ListsItsBuilders()
    {
        var error = Assert.Single(Errors("applications: [{import_path: 'Serve.Samples:NoSuchPipeline'}]"));

        Assert.StartsWith("applications[0].import_path: assembly 'Serve.Samples' has no public type or builder 'NoSuchPipeline'. Its builders: ", error);
        Assert.Contains("Serve.Samples:TextPipeline", error);
        Assert.Contains("Serve.Samples:MyFirstDeployment", error);
    }

    [Fact]
    public void Load_ShapeAndResolutionProblems_AllReportedTogether()
    {
        var errors = Errors("""
            applications:
              - {name: a, route_prefix: /a, import_path: "Serve.Samples:TextPipeline", deployments: [{name: Tokenizer, num_replicas: -1}]}
              - {name: b, route_prefix: /b, import_path: "Serve.Samples:TextPipeline", deployments: [{name: Nope}]}
              - {name: c, route_prefix: /c, import_path: "Nowhere:App"}
            """);

        Assert.Collection(errors,
            e => Assert.Equal("applications[0].deployments[0].num_replicas: must be ≥ 0 (got -1).", e),
            e => Assert.StartsWith("applications[1].deployments[0].name: 'Nope' is not a deployment", e),
            e => Assert.StartsWith("applications[2].import_path: assembly 'Nowhere' is not loaded", e));
    }

    [Fact]
    public void Load_OverrideMakingOptionsInvalid_ReportedAtTheEntry()
    {
        // min_replicas alone is valid in the file, but above the code's max_replicas (1) once merged.
        var error = Assert.Single(Errors("applications: [{import_path: 'Serve.Samples:TextPipeline', deployments: [{name: Tokenizer, autoscaling_config: {min_replicas: 3}}]}]"));

        Assert.Equal("applications[0].deployments[0]: deployment 'Tokenizer' would get invalid options (config over code): Autoscaling.MinReplicas: 3 must be ≤ MaxReplicas (1).", error);
    }

    [Fact]
    public void Build_Output_LoadsBackToTheCodesOptions()
    {
        var problems = new ConfigProblems();
        var builder = ApplicationBuilders.Resolve("Serve.Samples:TextPipeline", "import_path", problems)!;
        var app = builder.Build(null, "", problems)!;
        var yaml = ConfigYaml.Write(ServeConfigWriter.Build([("app1", "/", builder, app)], "127.0.0.1", 8000));

        var spec = ResolvedConfig.Load(yaml).Applications.Single();

        Assert.Empty(problems.Errors);
        Assert.Equal("""{"max_tokens":512}""", JsonSerializer.Serialize(JsonDocument.Parse(builder.DefaultArgsJson()).RootElement));
        foreach (var node in GraphOverrides.Nodes(app))
        {
            Assert.Equal(node.Definition.DeploymentOptions, spec.Deployments.Single(d => d.Name == node.Name).Options);
        }
    }
}
