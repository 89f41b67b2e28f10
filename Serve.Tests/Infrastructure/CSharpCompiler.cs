using Serve.Tests.Packages;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// Compiles C# into an assembly with the SDK's own compiler (<c>csc.dll</c>, as <c>dotnet build</c> runs it) against the
/// framework's reference assemblies and the references given: an assembly as a user's build makes one, without a project,
/// a restore or a package feed.
/// </summary>
public static class CSharpCompiler
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static async Task CompileAsync(string output, string source, IEnumerable<string> references)
    {
        var dotnetRoot = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var csc = Newest(Path.Combine(dotnetRoot, "sdk"), "Roslyn/bincore/csc.dll");
        var framework = Newest(Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref"), $"ref/net{Environment.Version.Major}.0");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var sourceFile = Path.ChangeExtension(output, ".cs");
        await File.WriteAllTextAsync(sourceFile, source);
        List<string> args = ["exec", csc, "-nologo", "-noconfig", "-target:library", "-nullable:enable", "-langversion:latest", $"-out:{output}"];
        args.AddRange(Directory.GetFiles(framework, "*.dll").Concat(references).Select(r => $"-reference:{r}"));
        args.Add(sourceFile);
        var (exit, text) = await DotnetCommand.RunAsync("dotnet", args, Path.GetDirectoryName(output)!, new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }, Timeout);
        if (exit != 0)
        {
            throw new InvalidOperationException($"csc failed ({exit}) compiling {Path.GetFileName(output)}:{Environment.NewLine}{text}");
        }
    }

    /// <summary><paramref name="below"/> in the newest version folder of <paramref name="versions"/> that has it.</summary>
    private static string Newest(string versions, string below) =>
        Directory.GetDirectories(versions)
            .OrderByDescending(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version())
            .Select(d => Path.Combine(d, below))
            .FirstOrDefault(p => File.Exists(p) || Directory.Exists(p)) ?? throw new InvalidOperationException($"No {below} under {versions}.");
}
