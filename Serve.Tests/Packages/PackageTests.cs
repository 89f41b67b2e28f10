using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Packages;

/// <summary>
/// Serve as a user gets it, from the packed packages alone (no ProjectReference into this repository): the template
/// instantiated, built and tested; the app run and called over HTTP; the CLI installed as a tool and serving the app;
/// a model library that references Serve.Abstractions only.
/// </summary>
[Collection(PackagesCollection.Name), Trait("Category", "Packages"), Trait("Category", "Cluster")]
public sealed class PackageTests(PackagesFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task DotnetNewServe_BuiltFromPackages_ItsTestsPass()
    {
        ReportTimings();

        var (exitCode, text) = await fixture.DotnetAsync(["test", fixture.AppDirectory, "-c", "Release", "--no-build", "-nologo"], fixture.AppDirectory);

        Assert.True(exitCode == 0, text);
        Assert.Contains("Passed!", text);
        Assert.Contains("Failed:     0, Passed:     2", text);
    }

    [Fact]
    public async Task App_BuiltFromPackages_AnswersHttp()
    {
        var ports = FreePorts.Take(3);
        var environment = new Dictionary<string, string>(fixture.Environment)
        {
            ["Serve__Http__Port"] = $"{ports[0]}",
            ["Serve__Admin__Port"] = $"{ports[1]}",
            ["Serve__Cluster__SiloPort"] = $"{ports[2]}",
        };
        using var app = DotnetCommand.Start("dotnet", [fixture.AppAssembly], Path.GetDirectoryName(fixture.AppAssembly)!, environment, out var log);
        try
        {
            var answer = await CountWordsAsync(ports[0], log);
            await log.WaitForLineAsync(l => l.Contains("Press Ctrl+C to stop."), ServeTimeout);

            Assert.Equal(4, answer);
            // A first-day user reads which address is which.
            Assert.Contains($"  HTTP:      http://127.0.0.1:{ports[0]}/  (try: curl -X POST http://127.0.0.1:{ports[0]}/count", log.Recent);
            Assert.Contains($"  admin API: http://127.0.0.1:{ports[1]}/  (serve status --address http://127.0.0.1:{ports[1]}/); dashboard: http://127.0.0.1:{ports[1]}/dashboard", log.Recent);
        }
        finally
        {
            app.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task ServeTool_InstalledFromPackages_HelpsAndRunsTheApp()
    {
        var serve = await fixture.ServeToolAsync();

        var (helped, help) = await DotnetCommand.RunAsync(serve, ["--help"], fixture.Root, fixture.Environment, TimeSpan.FromMinutes(1));
        Assert.True(helped == 0, help);
        Assert.Contains("serve [command] [options]", help);
        Assert.Contains("run", help);
        Assert.Contains("deploy", help);

        var ports = FreePorts.Take(3);
        var config = Path.Combine(fixture.AppDirectory, PackagesFixture.AppName, "serve.yaml");
        using var run = DotnetCommand.Start(serve,
            ["run", config, "--assembly", fixture.AppAssembly, "--port", $"{ports[0]}", "--admin-port", $"{ports[1]}", "--silo-port", $"{ports[2]}"],
            fixture.Root, fixture.Environment, out var log);
        try
        {
            await log.WaitForLineAsync(l => l.Contains("Every application is RUNNING"), ServeTimeout);

            Assert.Equal(4, await CountWordsAsync(ports[0], log));
        }
        finally
        {
            run.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task ServeRunReload_AppRebuiltWithNewCode_ServesTheNewCode()
    {
        // A copy of the app, so that the other tests' build stays as it was.
        var project = Path.Combine(fixture.Root, "reload", PackagesFixture.AppName);
        CopySources(Path.Combine(fixture.AppDirectory, PackagesFixture.AppName), project);
        var (built, buildText) = await fixture.DotnetAsync(["build", project, "-c", "Release", "-nologo", "--disable-build-servers"], project);
        Assert.True(built == 0, buildText);
        var assembly = Path.Combine(project, "bin", "Release", "net10.0", $"{PackagesFixture.AppName}.dll");
        var serve = await fixture.ServeToolAsync();
        var ports = FreePorts.Take(3);
        using var run = DotnetCommand.Start(serve,
            ["run", Path.Combine(project, "serve.yaml"), "--assembly", assembly, "--reload", "--port", $"{ports[0]}", "--admin-port", $"{ports[1]}", "--silo-port", $"{ports[2]}"],
            project, fixture.Environment, out var log);
        try
        {
            Assert.Equal(4, await CountWordsAsync(ports[0], log));

            // The developer's loop: the code changed, built again; serve run --reload starts Serve again on the new build.
            var counter = Path.Combine(project, "WordCounter.cs");
            var code = await File.ReadAllTextAsync(counter);
            Assert.Contains(".Length);", code);
            await File.WriteAllTextAsync(counter, code.Replace(".Length);", ".Length * 10);", StringComparison.Ordinal));
            (built, buildText) = await fixture.DotnetAsync(["build", project, "-c", "Release", "-nologo", "--disable-build-servers"], project);
            Assert.True(built == 0, buildText);

            await CountWordsAsync(ports[0], log, until: 40);
            Assert.Contains("changed; restarting Serve", log.Recent);
        }
        finally
        {
            run.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Pack_ThisVersionInTheNuGetPackagesFolder_RemovesThatCopyOnly()
    {
        // Packages keep their version from one local pack to the next: NuGet's copy of an earlier pack would answer the
        // next restore of that version. The packages folder here is one of the test's own.
        var cache = Path.Combine(fixture.Root, "pack-cache");
        var stale = Path.Combine(cache, "serve.abstractions", fixture.Version.ToLowerInvariant());
        var other = Path.Combine(cache, "serve.abstractions", "0.0.1");
        Directory.CreateDirectory(stale);
        Directory.CreateDirectory(other);
        await File.WriteAllTextAsync(Path.Combine(stale, "serve.abstractions.nuspec"), "an earlier pack");
        await File.WriteAllTextAsync(Path.Combine(other, "serve.abstractions.nuspec"), "another version");
        var project = Path.Combine(fixture.RepositoryRoot, "Serve.Abstractions", "Serve.Abstractions.csproj");

        var (packed, text) = await fixture.DotnetAsync(
            ["pack", project, "-c", "Release", "--no-build", "--no-restore", "-nologo", "-o", Path.Combine(fixture.Root, "pack-output"), $"-p:NuGetPackageRoot={cache}/"],
            fixture.Root);

        Assert.True(packed == 0, text);
        Assert.False(Directory.Exists(stale), $"{stale} is still there after the pack:{Environment.NewLine}{text}");
        Assert.True(Directory.Exists(other));
        Assert.Contains("removed the copy an earlier pack left in the NuGet packages folder", text);
    }

    [Fact]
    public async Task ModelLibrary_ReferencingServeAbstractions_GetsNoOrleansRuntimeGeneratorOrAspNetCore()
    {
        var library = Path.Combine(fixture.Root, "Models");
        Directory.CreateDirectory(library);
        await File.WriteAllTextAsync(Path.Combine(library, "Models.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="Serve.Abstractions" Version="{fixture.Version}" /></ItemGroup>
            </Project>
            """);

        var (restored, restoreText) = await fixture.DotnetAsync(["restore", library], library);
        Assert.True(restored == 0, restoreText);
        var (listed, packages) = await fixture.DotnetAsync(["list", library, "package", "--include-transitive"], library);
        Assert.True(listed == 0, packages);

        Assert.Contains("Serve.Abstractions", packages);
        var references = packages.Split('\n').Where(l => l.TrimStart().StartsWith('>')).Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).Order().ToList();
        // Orleans' serialization attributes (and the DI abstractions they name), and the configuration abstractions
        // IServeServiceSetup takes: no runtime, code generator, analyzers or Roslyn.
        Assert.Equal(["Microsoft.Extensions.Configuration.Abstractions", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Primitives",
            "Microsoft.Orleans.Serialization.Abstractions", "Serve.Abstractions"], references);
        var assets = await File.ReadAllTextAsync(Path.Combine(library, "obj", "project.assets.json"));
        Assert.DoesNotContain("Microsoft.AspNetCore.App", assets);
    }

    /// <summary>A project's sources, without what its builds left.</summary>
    internal static void CopySources(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
            {
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    /// <summary>
    /// POST /count until it answers 200, and, when <paramref name="until"/> is given, until its answer is that (a restart on
    /// the way): the words counted.
    /// </summary>
    private static async Task<int> CountWordsAsync(int port, ProcessOutput log, int? until = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/count", new { text = "the quick brown fox" });
                if (response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadFromJsonAsync<CountAnswer>())!.Words is var words && (until is null || words == until))
                {
                    return words;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > ServeTimeout)
            {
                throw new TimeoutException($"The app did not answer POST /count{(until is null ? "" : $" with {until}")} within {ServeTimeout}. Its output:{Environment.NewLine}{log.Recent}");
            }
            await Task.Delay(100);
        }
    }

    private void ReportTimings()
    {
        foreach (var (step, took) in fixture.Timings)
        {
            output.WriteLine($"{step}: {took.TotalSeconds:0.0} s");
        }
    }

    private sealed record CountAnswer(int Words);
}
