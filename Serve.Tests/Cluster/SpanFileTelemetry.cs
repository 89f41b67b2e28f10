using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Serve.Hosting;

namespace Serve.Tests.Cluster;

/// <summary>
/// The collector stand-in of the multi-process trace tests: a silo process that loads Serve.Tests.dll as a deployment
/// assembly and has <see cref="DirectoryVariable"/> set exports each span it ends, through its own OpenTelemetry
/// tracer provider, as one JSON line (<see cref="SpanRecord"/>) to a file of its own in that directory. Without the
/// variable it adds nothing.
/// </summary>
public sealed class SpanFileTelemetry : IServeTelemetrySetup
{
    /// <summary>The environment variable naming the directory span files go to.</summary>
    public const string DirectoryVariable = "SERVE_TEST_SPAN_DIRECTORY";

    public void Configure(IOpenTelemetryBuilder telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory)
        {
            var path = Path.Combine(directory, $"spans-{Environment.ProcessId}.jsonl");
            telemetry.WithTracing(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new SpanFileExporter(path))));
        }
    }

    /// <summary>Every span of the files in <paramref name="directory"/> so far.</summary>
    public static IReadOnlyList<SpanRecord> Read(string directory) =>
        Directory.EnumerateFiles(directory, "spans-*.jsonl")
            .SelectMany(f => ReadShared(f).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => JsonSerializer.Deserialize<SpanRecord>(l)!)
            .ToList();

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        // A line being written is left for the next read.
        return text.EndsWith('\n') ? text : text[..(text.LastIndexOf('\n') + 1)];
    }

    private sealed class SpanFileExporter(string path) : BaseExporter<Activity>
    {
        private readonly Lock _lock = new();

        public override ExportResult Export(in Batch<Activity> batch)
        {
            var lines = new List<string>();
            foreach (var activity in batch)
            {
                lines.Add(JsonSerializer.Serialize(new SpanRecord(
                    Environment.ProcessId, activity.TraceId.ToHexString(), activity.SpanId.ToHexString(),
                    activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(), activity.OperationName, activity.DisplayName,
                    activity.Kind.ToString(), activity.Status.ToString(), activity.StatusDescription,
                    activity.TagObjects.ToDictionary(t => t.Key, t => t.Value?.ToString()),
                    activity.Events.Select(e => e.Name).ToList())));
            }
            lock (_lock)
            {
                File.AppendAllLines(path, lines);
            }
            return ExportResult.Success;
        }
    }
}
