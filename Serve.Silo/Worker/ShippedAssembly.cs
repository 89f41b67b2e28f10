namespace Serve.Worker;

/// <summary>A file of an assembly a process could load: its name, its version and where it is.</summary>
internal sealed record ShippedAssembly(string Name, Version Version, string Path);
