using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Serve.Hosting;

/// <summary>
/// The defaults a deployment assembly ships for its own settings: the <c>appsettings.json</c> beside it (in its build
/// output, where a project copies it). Its <see cref="IServeServiceSetup"/> classes are handed the host's configuration
/// over that file: whatever the host's sources say (its <c>appsettings.json</c>, environment, command line) wins, and the
/// file fills in what they leave out. The file reaches nothing else: the host's own settings (Serve's, logging,
/// Kestrel's endpoints) are the host's alone, and two assemblies' files never clash, since each is seen only by that
/// assembly's setup classes, which bind their options from the configuration they are handed, or through DI (the
/// factories of what they register are handed it as their <see cref="IConfiguration"/>: <see cref="AssemblySettingsProvider"/>).
/// </summary>
internal static class DeploymentAssemblySettings
{
    public const string FileName = "appsettings.json";

    /// <summary>The settings file beside <paramref name="assembly"/>, or null when it has none (or was not loaded from a file).</summary>
    public static string? FileOf(Assembly assembly)
    {
        if (string.IsNullOrEmpty(assembly.Location))
        {
            return null;
        }
        var file = Path.Combine(Path.GetDirectoryName(assembly.Location)!, FileName);
        return File.Exists(file) ? file : null;
    }

    /// <summary>
    /// <paramref name="host"/> over the settings of <paramref name="file"/> (none when null): what the assembly's setup
    /// classes are handed. A file that is not valid JSON fails the start with an <see cref="InvalidOperationException"/>
    /// naming it and the assembly.
    /// </summary>
    public static IConfiguration Over(IConfiguration host, string? file, string assemblyName)
    {
        if (file is null)
        {
            return host;
        }
        try
        {
            // Sources added later win: the host's, chained after the file, override it key by key.
            return new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).AddConfiguration(host).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            throw new InvalidOperationException(
                $"{file} (the settings of deployment assembly {assemblyName}) could not be read: {e.InnerException?.Message ?? e.Message} Fix: correct the file, or remove it.", e);
        }
    }
}
