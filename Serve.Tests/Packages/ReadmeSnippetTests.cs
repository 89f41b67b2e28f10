using System.Text.RegularExpressions;

namespace Serve.Tests.Packages;

/// <summary>
/// The README's C# blocks compile where the README puts them, against the packed packages a user references, so that
/// a renamed API, a missing using or a fragment in the wrong order fails here rather than for a first-day user.
/// </summary>
[Collection(PackagesCollection.Name), Trait("Category", "Packages")]
public sealed partial class ReadmeSnippetTests(PackagesFixture fixture)
{
    /// <summary>
    /// Blocks not compiled, by section, and why. A new block in a section of neither list fails the test: say where its
    /// code goes (<see cref="Place"/>) or why it cannot compile alone.
    /// </summary>
    private static readonly Dictionary<string, string> NotCompiled = new(StringComparer.Ordinal)
    {
        ["A real model: sentence embeddings"] = "a method's signature, without its body",
        ["Dynamic batching"] = "elides the class's InitializeAsync (// ...) and calls from outside it, with a handle and a token of its caller",
        ["gRPC"] = "needs the classes Grpc.Tools generates from greet.proto",
    };

    [Fact]
    public async Task ReadmeCSharpBlocks_PlacedWhereTheReadmeSays_Compile()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(fixture.RepositoryRoot, "README.md"));
        var snippets = ReadmeSnippet.Parse(readme);
        Assert.NotEmpty(snippets);
        var root = Path.Combine(fixture.Root, "readme");
        var app = PackagesFixture.AppName;
        PackageTests.CopySources(Path.Combine(fixture.AppDirectory, app), Path.Combine(root, app));
        PackageTests.CopySources(Path.Combine(fixture.AppDirectory, $"{app}.Tests"), Path.Combine(root, $"{app}.Tests"));
        var projects = new SortedSet<string>(StringComparer.Ordinal) { $"{app}.Tests/{app}.Tests.csproj" };

        var unplaced = new List<string>();
        for (var i = 0; i < snippets.Count; i++)
        {
            var snippet = snippets[i];
            // The README's application is the template's MyApp; the fixture instantiated it under another name.
            var code = MyAppName().Replace(snippet.Code, app);
            if (NotCompiled.ContainsKey(snippet.Section))
            {
                continue;
            }
            if (Place(snippet.Section, code, i, root, app) is { } project)
            {
                projects.Add(project);
            }
            else
            {
                unplaced.Add(snippet.Section);
            }
        }
        Assert.True(unplaced.Count == 0, $"C# blocks of the README in sections this test does not place: {string.Join(", ", unplaced)}. Add them to Place or NotCompiled.");

        await File.WriteAllTextAsync(Path.Combine(root, "Readme.slnx"),
            $"<Solution>{string.Concat(projects.Select(p => $"<Project Path=\"{p}\" />"))}</Solution>");
        var (built, text) = await fixture.DotnetAsync(["build", Path.Combine(root, "Readme.slnx"), "-c", "Release", "-nologo", "--disable-build-servers"], root);

        Assert.True(built == 0, text);
    }

    /// <summary>Writes a block where its section says it goes; the project it went into, or null for a section it does not know.</summary>
    private string? Place(string section, string code, int index, string root, string app)
    {
        switch (section)
        {
            case "Quick start":
                // "A Program.cs of a web project that references Serve.Gateway and Serve.Http."
                WriteProject(root, "QuickStart", "Microsoft.NET.Sdk.Web", ["Serve.Gateway", "Serve.Http"], null, ("Program.cs", code));
                return "QuickStart/QuickStart.csproj";
            case "Test: local testing mode":
                // Statements of a test of the template's test project.
                File.WriteAllText(Path.Combine(root, $"{app}.Tests", $"Readme{index}Tests.cs"), $$"""
                    using System.Net.Http.Json;
                    using Serve;
                    using Serve.Testing;

                    namespace {{app}}.Tests;

                    public sealed class Readme{{index}}Tests
                    {
                        public async Task Snippet()
                        {
                    {{code}}
                        }
                    }
                    """);
                return $"{app}.Tests/{app}.Tests.csproj";
            case "Call it from another .NET program.":
                // A console app referencing Serve.Silo and the library that declares the interfaces.
                WriteProject(root, "Caller", "Microsoft.NET.Sdk", ["Serve.Silo"], $"../{app}/{app}.csproj", ("Program.cs", code));
                return "Caller/Caller.csproj";
            case "Every lifecycle hook in one deployment":
                // A class of the template's app, a project that references Serve.Gateway with implicit usings on, so
                // Orleans' global 'using Orleans.Runtime;' is in force (its IHealthCheckable once made Serve's ambiguous).
                File.WriteAllText(Path.Combine(root, app, $"Readme{index}.cs"), code);
                return $"{app}/{app}.csproj";
            case "Model multiplexing":
                // A deployment of the host program; Classifier is the user's model, which the README leaves out.
                WriteProject(root, "Multiplexing", "Microsoft.NET.Sdk.Web", ["Serve.Gateway", "Serve.Http"], null,
                    ("Classifiers.cs", "using Serve;\n\n" + code),
                    ("Classifier.cs", """
                        public sealed class Classifier
                        {
                            public static Task<Classifier> LoadAsync(string id, CancellationToken ct) => Task.FromResult(new Classifier());
                            public string Classify(string? text) => "";
                        }
                        """));
                return "Multiplexing/Multiplexing.csproj";
            default:
                return null;
        }
    }

    private void WriteProject(string root, string name, string sdk, string[] packages, string? projectReference, params (string File, string Text)[] files)
    {
        var folder = Path.Combine(root, name);
        Directory.CreateDirectory(folder);
        var output = sdk == "Microsoft.NET.Sdk" || name == "QuickStart" ? "Exe" : "Library";
        File.WriteAllText(Path.Combine(folder, $"{name}.csproj"), $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                <OutputType>{output}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                {string.Concat(packages.Select(p => $"<PackageReference Include=\"{p}\" Version=\"{fixture.Version}\" />"))}
                {(projectReference is null ? "" : $"<ProjectReference Include=\"{projectReference}\" />")}
              </ItemGroup>
            </Project>
            """);
        foreach (var (file, text) in files)
        {
            File.WriteAllText(Path.Combine(folder, file), text);
        }
    }

    [GeneratedRegex(@"\bMyApp\b")]
    private static partial Regex MyAppName();
}
