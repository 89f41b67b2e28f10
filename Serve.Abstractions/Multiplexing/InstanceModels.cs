using System.Runtime.CompilerServices;

namespace Serve.Multiplexing;

/// <summary>
/// The model cache of each multiplexed deployment instance. A replica attaches one with its clock and metrics before
/// the instance serves; an instance used outside a replica gets one with the attribute's capacity on first use.
/// </summary>
internal static class InstanceModels
{
    private static readonly ConditionalWeakTable<object, ModelCache> Caches = new();

    public static ModelCache For(object target, ModelLoader loader) =>
        Caches.GetValue(target, t => Create(t, loader, TimeProvider.System, null));

    public static ModelCache Attach(object target, ModelLoader loader, TimeProvider time, IModelCacheObserver? observer)
    {
        var cache = Create(target, loader, time, observer);
        Caches.AddOrUpdate(target, cache);
        return cache;
    }

    public static void Detach(object target) => Caches.Remove(target);

    private static ModelCache Create(object target, ModelLoader loader, TimeProvider time, IModelCacheObserver? observer) =>
        new((id, ct) => loader.LoadAsync(target, id, ct), loader.Attribute.MaxModelsPerReplica, time, observer);
}
