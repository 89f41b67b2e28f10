using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serve.Memory;

/// <summary>Applies <see cref="ServeMemoryOptions"/> to this process's malloc when the host starts, and says once what it did.</summary>
internal sealed partial class MallocTuning(IOptions<ServeMemoryOptions> options, ILogger<MallocTuning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var memory = options.Value;
        if (!memory.SetMmapThreshold)
        {
            LogLeftAlone(logger);
        }
        else if (GlibcMalloc.Version is not { } glibc)
        {
            LogNotGlibc(logger, System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        }
        else if (GlibcMalloc.SetMmapThreshold(memory.MmapThreshold))
        {
            LogThresholdSet(logger, memory.MmapThreshold, glibc);
        }
        else
        {
            LogThresholdRefused(logger, memory.MmapThreshold, glibc);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = ServeEvents.MallocTuned, Level = LogLevel.Information, Message = "Native memory: glibc {Glibc}'s mmap threshold fixed at {Bytes} bytes, so larger freed blocks go back to the system (Serve:Memory:SetMmapThreshold=false leaves malloc alone)")]
    private static partial void LogThresholdSet(ILogger logger, int bytes, string glibc);

    [LoggerMessage(EventId = ServeEvents.MallocLeftAlone, Level = LogLevel.Information, Message = "Native memory: malloc left alone (Serve:Memory:SetMmapThreshold=false)")]
    private static partial void LogLeftAlone(ILogger logger);

    [LoggerMessage(EventId = ServeEvents.MallocNotGlibc, Level = LogLevel.Debug, Message = "Native memory: malloc left alone, this is not Linux with glibc ({System})")]
    private static partial void LogNotGlibc(ILogger logger, string system);

    [LoggerMessage(EventId = ServeEvents.MallocTuningRefused, Level = LogLevel.Warning, Message = "Native memory: glibc {Glibc} refused an mmap threshold of {Bytes} bytes; malloc left alone. Fix: set Serve:Memory:MmapThreshold lower (65536 is the default)")]
    private static partial void LogThresholdRefused(ILogger logger, int bytes, string glibc);
}
