using System.Globalization;
using Microsoft.Extensions.Options;

namespace Serve.Memory;

/// <summary>Reports every invalid <see cref="ServeMemoryOptions"/> value at once, at start.</summary>
internal sealed class ServeMemoryOptionsValidator : IValidateOptions<ServeMemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeMemoryOptions options)
    {
        if (options.MmapThreshold is < ServeMemoryOptions.MinMmapThreshold or > ServeMemoryOptions.MaxMmapThreshold)
        {
            return ValidateOptionsResult.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{ServeMemoryOptions.SectionName}:MmapThreshold: {options.MmapThreshold} must be between {ServeMemoryOptions.MinMmapThreshold} (a page) and {ServeMemoryOptions.MaxMmapThreshold} (32 MiB, glibc's limit) bytes. Fix: use 65536, the default, or set {ServeMemoryOptions.SectionName}:SetMmapThreshold to false to leave malloc alone."));
        }
        return ValidateOptionsResult.Success;
    }
}
