using System.Reflection;

namespace Serve.Hosting;

/// <summary>
/// The setup classes of the deployment assemblies (<see cref="IServeServiceSetup"/>, <see cref="IServeTelemetrySetup"/>):
/// each public concrete class implementing <typeparamref name="TSetup"/>, made with its public parameterless
/// constructor. A class without one fails the start, naming the class and the fix.
/// </summary>
internal static class SetupClasses<TSetup> where TSetup : class
{
    public static IEnumerable<TSetup> In(IEnumerable<Assembly> assemblies) =>
        Of(assemblies.Distinct().SelectMany(a => a.GetExportedTypes()));

    public static IEnumerable<TSetup> Of(IEnumerable<Type> types)
    {
        foreach (var type in types.Where(t => typeof(TSetup).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false }))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new InvalidOperationException($"{type.FullName} implements {typeof(TSetup).Name} but has no public parameterless constructor. Fix: add one.");
            }
            yield return (TSetup)Activator.CreateInstance(type)!;
        }
    }
}
