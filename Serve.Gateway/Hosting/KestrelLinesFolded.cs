using Microsoft.Extensions.Logging;

namespace Serve.Hosting;

/// <summary>The lines of one Kestrel event that <see cref="KestrelLogThrottle"/> folded during an interval.</summary>
/// <param name="Category">The event's logger category, e.g. <c>Microsoft.AspNetCore.Server.Kestrel.Http2</c>.</param>
/// <param name="Id">The event's id.</param>
/// <param name="Name">The event's name, when Kestrel gave one, e.g. <c>Http2QueueOperationsExceeded</c>.</param>
/// <param name="Highest">The highest level among them.</param>
/// <param name="Count">How many.</param>
internal readonly record struct KestrelLinesFolded(string Category, int Id, string? Name, LogLevel Highest, long Count);
