namespace Serve.Samples;

/// <summary>One runnable example: its command-line name, the route prefix it takes when all run together, and its graph.</summary>
public sealed record SampleApp(string Name, string SharedRoutePrefix, Func<BoundDeployment> Build, bool PrintsHandleResult);
