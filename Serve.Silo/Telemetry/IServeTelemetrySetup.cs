using OpenTelemetry;

namespace Serve.Hosting;

/// <summary>
/// Adds exporters or instrumentation to the OpenTelemetry of a silo whose host you do not write (the worker,
/// <c>dotnet Serve.Silo.dll</c>, and the gateway): a public class with a parameterless constructor in an assembly listed
/// under <c>Serve:Assemblies</c> is made once at start and handed the silo's builder, after Serve's own setup:
/// <code>
/// public sealed class ZipkinTraces : IServeTelemetrySetup
/// {
///     public void Configure(IOpenTelemetryBuilder telemetry) => telemetry.WithTracing(t => t.AddZipkinExporter());
/// }
/// </code>
/// A host you write calls <c>services.AddOpenTelemetry()</c> itself instead.
/// </summary>
public interface IServeTelemetrySetup
{
    /// <summary>Adds to this silo's OpenTelemetry setup.</summary>
    void Configure(IOpenTelemetryBuilder telemetry);
}
