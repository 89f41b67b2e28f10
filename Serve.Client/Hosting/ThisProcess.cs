using System.Reflection;

namespace Serve.Hosting;

/// <summary>Names this process in errors that only its own configuration can fix (a gateway's, a worker's, a CLI's).</summary>
internal static class ThisProcess
{
    /// <summary>Its program and id, e.g. <c>process Serve.Gateway (pid 4242)</c>.</summary>
    public static string Description { get; } =
        $"process {Assembly.GetEntryAssembly()?.GetName().Name ?? Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "?"} (pid {Environment.ProcessId})";

    /// <summary>The setting that loads <paramref name="assemblyName"/> into a gateway or a worker, as configuration and as environment.</summary>
    public static string AssemblySetting(string assemblyName) =>
        $"Serve:Assemblies:0=path/to/{assemblyName}.dll (environment: Serve__Assemblies__0=path/to/{assemblyName}.dll; the next one :1, and so on)";
}
