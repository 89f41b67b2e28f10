using System.Diagnostics;
using System.Reflection;

namespace Serve.Tests.Packages;

/// <summary>
/// The packed packages (artifacts/packages, which ./test.sh fills; packed here when missing) used as a user would: a
/// private dotnet home, template hive and NuGet package folder, a nuget.config naming the local folder (for Serve.*
/// only) and the normal feed, and the template instantiated and built once for every test of the collection. The
/// machine's package folder is a read-only fallback with Serve's own packages left out, so a stale copy never answers.
/// </summary>
public sealed class PackagesFixture : IAsyncLifetime
{
    public const string AppName = "ServeApp";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"serve-packages-{Guid.NewGuid():N}");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string PackageFolder => Path.Combine(RepositoryRoot, "artifacts", "packages");

    public string Version { get; } = typeof(ServeException).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!
        .InformationalVersion.Split('+')[0];

    /// <summary>Where <c>dotnet new serve</c> put the application (its .slnx, <see cref="AppName"/>/ and <see cref="AppName"/>.Tests/).</summary>
    public string AppDirectory => Path.Combine(Root, AppName);

    public string AppAssembly => Path.Combine(AppDirectory, AppName, "bin", "Release", "net10.0", $"{AppName}.dll");

    /// <summary>The environment every command runs in: nothing of the user's dotnet home, templates or package folder.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    /// <summary>What each step took, for the report: dotnet new install, dotnet new serve, dotnet build.</summary>
    public IReadOnlyList<(string Step, TimeSpan Took)> Timings => _timings;

    private readonly List<(string, TimeSpan)> _timings = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_HOME"] = Path.Combine(Root, "home"),
            ["NUGET_PACKAGES"] = Path.Combine(Root, "nuget-packages"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_UI_LANGUAGE"] = "en",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        await EnsurePackedAsync();
        WriteNuGetConfig();

        var hive = Path.Combine(Root, "template-hive");
        await StepAsync("dotnet new install", ["new", "install", Path.Combine(PackageFolder, $"Serve.Templates.{Version}.nupkg"), "--debug:custom-hive", hive], Root);
        await StepAsync("dotnet new serve", ["new", "serve", "--name", AppName, "--output", AppDirectory, "--debug:custom-hive", hive], Root);
        await StepAsync("dotnet build", ["build", AppDirectory, "-c", "Release", "-nologo", "--disable-build-servers"], AppDirectory);
    }

    public async Task<(int ExitCode, string Output)> DotnetAsync(IEnumerable<string> args, string workingDirectory) =>
        await DotnetCommand.RunAsync("dotnet", args, workingDirectory, Environment, CommandTimeout);

    private Task<string>? _serveTool;

    /// <summary>The serve tool, installed from the packages once for the collection (its tests run one at a time): its path.</summary>
    public Task<string> ServeToolAsync() => _serveTool ??= InstallServeToolAsync();

    private async Task<string> InstallServeToolAsync()
    {
        var tools = Path.Combine(Root, "tools");
        var (installed, output) = await DotnetAsync(
            ["tool", "install", "Serve.Cli", "--version", Version, "--tool-path", tools, "--configfile", Path.Combine(Root, "nuget.config")], Root);
        if (installed != 0)
        {
            throw new InvalidOperationException($"'dotnet tool install Serve.Cli' exited {installed}:{System.Environment.NewLine}{output}");
        }
        return Path.Combine(tools, "serve");
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process of a failed test may still hold a file; the folder is in /tmp.
        }
        return Task.CompletedTask;
    }

    private async Task StepAsync(string step, string[] args, string workingDirectory)
    {
        var watch = Stopwatch.StartNew();
        var (exitCode, output) = await DotnetAsync(args, workingDirectory);
        _timings.Add((step, watch.Elapsed));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'dotnet {string.Join(' ', args)}' exited {exitCode}:{System.Environment.NewLine}{output}");
        }
    }

    private async Task EnsurePackedAsync()
    {
        var template = Path.Combine(PackageFolder, $"Serve.Templates.{Version}.nupkg");
        if (File.Exists(template) && File.GetLastWriteTimeUtc(template) >= NewestInput())
        {
            return;
        }
        // ./test.sh packs before the tests; a plain dotnet test packs the build it runs against, and packs again when the
        // packages are older than that build or the template's files (they keep their version: a stale pack passed for current).
        var (exitCode, output) = await DotnetCommand.RunAsync("dotnet",
            ["pack", Path.Combine(RepositoryRoot, "Serve.sln"), "-c", "Release", "--no-build", "-nologo", "-o", PackageFolder],
            RepositoryRoot, new Dictionary<string, string>(), CommandTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack exited {exitCode}:{System.Environment.NewLine}{output}");
        }
    }

    /// <summary>When the newest of what the packages are made of was written: Serve's assemblies as built, the template's files.</summary>
    private DateTime NewestInput() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "Serve.*.dll")
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "Serve.Templates", "content"), "*", SearchOption.AllDirectories)
                .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();

    private void WriteNuGetConfig()
    {
        var machinePackages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Path.Combine(Root, "machine-packages");
        Directory.CreateDirectory(fallback);
        if (Directory.Exists(machinePackages))
        {
            foreach (var package in Directory.EnumerateDirectories(machinePackages)
                         .Where(d => !Path.GetFileName(d).StartsWith("serve.", StringComparison.OrdinalIgnoreCase)))
            {
                Directory.CreateSymbolicLink(Path.Combine(fallback, Path.GetFileName(package)), package);
            }
        }
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="serve-local" value="{PackageFolder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="serve-local">
                  <package pattern="Serve.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
              <fallbackPackageFolders>
                <add key="machine" value="{fallback}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serve.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Serve.sln above {AppContext.BaseDirectory}: the package tests run from the repository's build output.");
    }
}
