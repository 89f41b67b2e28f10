using Serve.Configuration;

namespace Serve.Tests.Configuration;

public sealed class ServeConfigParserTests
{
    private static (ServeConfig? Config, IReadOnlyList<string> Errors) Parse(string text)
    {
        var problems = new ConfigProblems();
        var config = ServeConfigParser.Parse(text, problems);
        return (config, problems.Errors);
    }

    [Fact]
    public void Parse_FullYaml_BindsEveryField()
    {
        var (config, errors) = Parse("""
            http_options:
              host: 0.0.0.0
              port: 8001
              request_timeout_s: 2.5
            applications:
              - name: text
                route_prefix: /text
                import_path: Serve.Samples:TextPipeline
                args:
                  max_tokens: 64
                deployments:
                  - name: Tokenizer
                    num_replicas: 3
                    max_ongoing_requests: 7
                    max_queued_requests: -1
                    user_config: {stop_words: [a, "the"]}
                    health_check_period_s: 5
                    health_check_timeout_s: 1.5
                    initialization_timeout_s: 120
                    graceful_shutdown_timeout_s: 0
                    max_replicas_per_silo: 2
                    max_constructor_retry_count: 4
                    resources: {num_cpus: 0.5, num_gpus: 1, memory: 1048576, custom: {"accelerator:a100": 1}}
                  - name: SentimentScorer
                    num_replicas: auto
                    autoscaling_config:
                      max_replicas: 8
                      aggregation_function: max
                      upscale_delay_s: 1
              - name: internal
                route_prefix: null
                import_path: Serve.Tests:ConfigApps.Configured
            """);

        Assert.Empty(errors);
        Assert.Equal(new HttpOptionsConfig { Host = "0.0.0.0", Port = 8001, RequestTimeout = TimeSpan.FromSeconds(2.5) }, config!.HttpOptions);
        var text = config.Applications[0];
        Assert.Equal(("text", "/text", "Serve.Samples:TextPipeline", """{"max_tokens":64}"""), (text.Name, text.RoutePrefix, text.ImportPath, text.ArgsJson));
        var tokenizer = text.Deployments[0];
        var code = new DeploymentOptions { Name = "Tokenizer", MaxOngoingRequests = 99, Resources = new ReplicaResources { NumCpus = 4, Custom = new Dictionary<string, double> { ["x"] = 1 } } };
        var tokenizerOptions = tokenizer.ApplyTo(code);
        Assert.Equal((3, 7, -1, """{"stop_words":["a","the"]}"""), (tokenizerOptions.NumReplicas, tokenizerOptions.MaxOngoingRequests, tokenizerOptions.MaxQueuedRequests, tokenizerOptions.UserConfig));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1.5), TimeSpan.Zero, 2, 4, TimeSpan.FromMinutes(2)),
            (tokenizerOptions.HealthCheckPeriod, tokenizerOptions.HealthCheckTimeout, tokenizerOptions.GracefulShutdownTimeout, tokenizerOptions.MaxReplicasPerSilo,
                tokenizerOptions.MaxConstructorRetryCount, tokenizerOptions.InitializationTimeout));
        Assert.Equal((0.5, 1.0, 1048576L), (tokenizerOptions.Resources.NumCpus, tokenizerOptions.Resources.NumGpus, tokenizerOptions.Resources.Memory));
        Assert.Equal(new Dictionary<string, double> { ["accelerator:a100"] = 1 }, tokenizerOptions.Resources.Custom);
        var scorer = text.Deployments[1];
        Assert.True(scorer.AutoReplicas);
        Assert.Equal((8, AutoscalingAggregation.Max, TimeSpan.FromSeconds(1)), (scorer.Autoscaling!["max_replicas"], scorer.Autoscaling["aggregation_function"], scorer.Autoscaling["upscale_delay_s"]));
        Assert.Null(scorer.Autoscaling["min_replicas"]);
        var internalApp = config.Applications[1];
        Assert.Equal(("internal", null, null), (internalApp.Name, internalApp.RoutePrefix, internalApp.ArgsJson));
    }

    [Fact]
    public void Parse_Json_BindsAsYamlDoes()
    {
        var (config, errors) = Parse("""
            {
            	"applications": [
            		{ "name": "a", "import_path": "Serve.Tests:ConfigApps.Configured", "deployments": [ { "name": "Configured", "num_replicas": 0, "user_config": null } ] }
            	]
            }
            """);

        Assert.Empty(errors);
        var app = config!.Applications.Single();
        Assert.Equal(("a", "/"), (app.Name, app.RoutePrefix));
        Assert.Equal((0, true, null), (app.Deployments[0].NumReplicas, app.Deployments[0].HasUserConfig, app.Deployments[0].UserConfigJson));
    }

    [Fact]
    public void Parse_ReplicaCountsPastTheBound_ReportedWithTheirPaths()
    {
        var (_, errors) = Parse("""
            applications:
              - name: a
                route_prefix: /a
                import_path: X:A
                deployments:
                  - {name: D, num_replicas: 1000000000}
                  - {name: E, autoscaling_config: {min_replicas: 1, max_replicas: 2000000000}}
            """);

        Assert.Equal(
            ["applications[0].deployments[0].num_replicas: must be at most 10000 (got 1000000000).",
             "applications[0].deployments[1].autoscaling_config.max_replicas: must be an integer from 1 to 10000 (got 2000000000)."],
            errors);
    }

    [Fact]
    public void Parse_NegativeReplicaCount_ReportedWithItsPath()
    {
        var (_, errors) = Parse("""
            applications:
              - {name: a, route_prefix: /a, import_path: "X:A"}
              - name: b
                route_prefix: /b
                import_path: X:B
                deployments:
                  - {name: D, num_replicas: -1}
            """);

        Assert.Equal(["applications[1].deployments[0].num_replicas: must be ≥ 0 (got -1)."], errors);
    }

    [Fact]
    public void Parse_UnknownKeys_ReportedWithPathAndAdvice()
    {
        var (_, errors) = Parse("""
            proxy_location: EveryNode
            applications:
              - name: a
                import_path: X:A
                runtime_env: {}
                deployments:
                  - name: D
                    num_replica: 2
                    ray_actor_options: {num_cpus: 1}
                    autoscaling_config: {metrics_interval_s: 1, colour: red}
            """);

        Assert.Equal(
        [
            "proxy_location: unknown key. Serve has no proxy to place: every gateway silo serves HTTP; remove it.",
            "applications[0].runtime_env: unknown key. Serve has no runtime environments: the builder's assembly must be loaded by the gateway (a project reference, Serve:Assemblies, or `serve run --assembly`); remove it.",
            "applications[0].deployments[0].num_replica: unknown key. Did you mean 'num_replicas'?",
            "applications[0].deployments[0].ray_actor_options: unknown key. Use 'resources' with num_cpus, num_gpus, memory and custom.",
            "applications[0].deployments[0].autoscaling_config.metrics_interval_s: unknown key. Not needed: load metrics reach the autoscaler every second; remove it.",
            "applications[0].deployments[0].autoscaling_config.colour: unknown key. Known keys: min_replicas, max_replicas, initial_replicas, target_ongoing_requests, upscale_delay_s, downscale_delay_s, downscale_to_zero_delay_s, look_back_period_s, upscaling_factor, downscaling_factor, aggregation_function, burst_window_s, burst_threshold.",
        ], errors);
    }

    [Fact]
    public void Parse_WrongTypes_ReportedWithPathAndWhatWasGiven()
    {
        var (_, errors) = Parse("""
            http_options: {port: eighty, request_timeout_s: [1]}
            applications:
              - name: 7
                import_path: true
                args: [1, 2]
                deployments:
                  - {name: D, num_replicas: many, max_ongoing_requests: 2.5, health_check_period_s: soon, resources: 4}
            """);

        Assert.Equal(
        [
            "http_options.port: must be an integer (got a string (\"eighty\")).",
            "http_options.request_timeout_s: must be a finite number (got a list).",
            "applications[0].name: must be a string (got an integer (7)).",
            "applications[0].import_path: must be a string (got a boolean (true)).",
            "applications[0].args: must be a mapping of argument names to values (got a list).",
            "applications[0].deployments[0].num_replicas: must be an integer ≥ 0 or \"auto\" (got a string (\"many\")).",
            "applications[0].deployments[0].max_ongoing_requests: must be an integer (got a number (2.5)).",
            "applications[0].deployments[0].health_check_period_s: must be a finite number (got a string (\"soon\")).",
            "applications[0].deployments[0].resources: must be a mapping with num_cpus, num_gpus, memory and custom (got an integer (4)).",
        ], errors);
    }

    [Fact]
    public void Parse_AutoscalingMinAboveMax_Reported()
    {
        var (_, errors) = Parse("""
            applications:
              - import_path: X:A
                deployments:
                  - name: D
                    autoscaling_config: {min_replicas: 5, max_replicas: 2, look_back_period_s: 4, burst_window_s: 9}
                  - name: E
                    num_replicas: 3
                    autoscaling_config: {max_replicas: 4, initial_replicas: 9, min_replicas: 1}
            """);

        Assert.Equal(
        [
            "applications[0].deployments[0].autoscaling_config.min_replicas: must be ≤ max_replicas (got 5 > 2).",
            "applications[0].deployments[0].autoscaling_config.burst_window_s: must be ≤ look_back_period_s (got 9 > 4).",
            "applications[0].deployments[1].autoscaling_config.initial_replicas: must be between min_replicas and max_replicas (got 9, not in [1, 4]).",
            "applications[0].deployments[1].num_replicas: must be left out, or be \"auto\", when autoscaling_config is given: the autoscaler sets the replica count.",
        ], errors);
    }

    [Fact]
    public void Parse_DuplicateNamesAndRoutePrefixes_Reported()
    {
        var (_, errors) = Parse("""
            applications:
              - {name: a, route_prefix: /x, import_path: "X:A", deployments: [{name: D}, {name: D}]}
              - {name: a, route_prefix: /y, import_path: "X:B"}
              - {name: c, route_prefix: /x, import_path: "X:C"}
              - {name: d, route_prefix: null, import_path: "X:D"}
              - {name: e, route_prefix: null, import_path: "X:E"}
            """);

        Assert.Equal(
        [
            "applications[0].deployments[1].name: 'D' is also the name of applications[0].deployments[0]; each deployment is overridden once.",
            "applications[1].name: 'a' is also the name of applications[0]; application names must be unique.",
            "applications[2].route_prefix: '/x' is also the route_prefix of applications[0]; each route prefix is served by one application.",
        ], errors);
    }

    [Fact]
    public void Parse_ManyProblems_AllReportedAtOnce()
    {
        var (_, errors) = Parse("""
            http_options: {port: 70000}
            applications:
              - {name: "a/b", route_prefix: "x/", import_path: "NoColon"}
              - {import_path: "X:B", deployments: [{num_replicas: 1, max_queued_requests: -2, max_ongoing_requests: 0}]}
            """);

        Assert.Equal(
        [
            "http_options.port: must be an integer from 0 to 65535 (got 70000).",
            "applications[0].name: must be non-empty, without '/', control characters or surrounding spaces (got \"a/b\").",
            "applications[0].route_prefix: must start with '/' and must not end with '/' (\"/\" for the root, null for no HTTP route) (got \"x/\").",
            "applications[0].import_path: must be 'Assembly:Member', e.g. 'Serve.Samples:TextPipeline' (got \"NoColon\").",
            "applications[1].deployments[0].name: is required: the name of the deployment whose options this entry overrides.",
            "applications[1].deployments[0].max_ongoing_requests: must be ≥ 1 (got 0).",
            "applications[1].deployments[0].max_queued_requests: must be ≥ 0, or -1 for unbounded (got -2).",
        ], errors);
    }

    [Fact]
    public void Parse_NameWithControlCharacters_RefusedShowingThemWrittenOut()
    {
        var (_, errors) = Parse("applications:\n  - {name: \"ok\\e[2Jgone\\nINFO forged\", import_path: \"X:B\"}\n");

        Assert.Equal(["applications[0].name: must be non-empty, without '/', control characters or surrounding spaces (got \"ok\\u001B[2Jgone\\u000AINFO forged\")."], errors);
    }

    [Fact]
    public void Parse_MissingApplications_SaysHowToDeleteEverything()
    {
        var (_, errors) = Parse("http_options: {port: 8000}\n");

        Assert.Equal(["applications: is required. Fix: list the applications to run, or write 'applications: []' to delete every application deployed from a config."], errors);
        Assert.Empty(Parse("applications: []").Errors);
    }

    [Fact]
    public void Parse_NotYaml_ReportsWhere()
    {
        var (config, errors) = Parse("applications:\n  - {name: a, import_path: X:A\n");

        Assert.Null(config);
        Assert.StartsWith("config: line ", Assert.Single(errors));
        Assert.Contains("not valid YAML or JSON", errors[0]);
    }

    [Fact]
    public void Parse_AList_IsNotAConfig()
    {
        Assert.Equal(["config: must be a mapping with the keys http_options and applications (got a list)."], Parse("- a\n- b\n").Errors);
    }

    [Fact]
    public void Write_ThenRead_KeepsValuesAndTypes()
    {
        var node = ConfigYaml.Read("""
            a: "007"
            b: 7
            c: "true"
            d: [1.5, null, "x: y", " padded "]
            e: {}
            f: "multi\nline"
            """, new ConfigProblems())!;

        var back = ConfigYaml.Read(ConfigYaml.Write(node), new ConfigProblems())!;

        Assert.Equal(ConfigJson.Write(node), ConfigJson.Write(back));
        Assert.Equal("""{"a":"007","b":7,"c":"true","d":[1.5,null,"x: y"," padded "],"e":{},"f":"multi\nline"}""", ConfigJson.Write(back));
    }
}
