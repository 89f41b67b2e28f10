using System.Globalization;
using Serve.Benchmarks.Soak;

namespace Serve.Benchmarks.Churn;

/// <summary>What must come back after churn: grain activations per type, .NET timers in this process, and each process's memory (and where it is) and threads.</summary>
internal sealed record ChurnMeasure((string Type, int Count)[] Activations, long Timers, ProcessSample Self, ProcessSample[] Workers, MemoryBreakdown[] Memory, TimeSpan SettledAfter)
{
    public override string ToString()
    {
        var settled = SettledAfter > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $" (settled after {SettledAfter.TotalSeconds:F0} s)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"activations [{string.Join(", ", Activations.Select(a => $"{a.Type} {a.Count}"))}]; timers in this process {Timers}; {Self}; {string.Join("; ", Workers.Select(w => w.ToString()))}{settled}{Environment.NewLine}          memory: {string.Join("; ", Memory.Select(m => m.ToString()))}");
    }
}
