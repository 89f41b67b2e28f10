using System.Reflection;

namespace Serve.Replicas;

/// <summary>
/// The grain whose turn runs on this thread, as Orleans keeps it (its thread-static <c>RuntimeContext.Current</c>): null on a
/// thread that runs no grain's turn. Orleans' public <see cref="IGrainContextAccessor"/> cannot tell: in a silo it answers
/// the silo's hosted client where no grain runs.
/// </summary>
internal static class CurrentGrain
{
    private static readonly Func<IGrainContext?>? Read = Find();

    /// <summary>Whether this thread runs a grain's turn now; true also when Orleans' context cannot be read (say so, and queue).</summary>
    public static bool Running => Read is null || Read() is not null;

    /// <summary>Whether this thread runs no grain's turn, or <paramref name="grain"/>'s.</summary>
    public static bool NoneOr(IGrainContext grain)
    {
        if (Read is null)
        {
            return false;
        }
        var current = Read();
        return current is null || ReferenceEquals(current, grain);
    }

    // Read once, in a silo, where Orleans' assemblies are loaded; a getter is a static call on a thread-static field.
    private static Func<IGrainContext?>? Find() =>
        new[] { typeof(Grain).Assembly, typeof(IGrainContext).Assembly }
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name?.StartsWith("Orleans", StringComparison.Ordinal) == true))
            .Select(a => a.GetType("Orleans.Runtime.RuntimeContext"))
            .FirstOrDefault(t => t is not null)?
            .GetProperty("Current", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?
            .GetGetMethod(nonPublic: true)?
            .CreateDelegate<Func<IGrainContext?>>();
}
