using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Serve.Hosting;

namespace Serve.Tests.Control;

/// <summary>
/// A grain store in memory that a test can take down: while <see cref="Failing"/>, every write throws, as a store that is
/// unreachable does. Each state is kept as a deep copy, so an activation never shares its objects with the next.
/// </summary>
public sealed class SwitchableStorage(DeepCopier copier) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (object State, int Version)> _states = new();

    public volatile bool Failing;

    /// <summary>Makes a new one the grain store Serve keeps its state in on <paramref name="silo"/>.</summary>
    public static void AddTo(ISiloBuilder silo) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(ServeOptions.StorageName, (sp, _) => ActivatorUtilities.CreateInstance<SwitchableStorage>(sp));

    /// <summary>The one <see cref="AddTo"/> made on the silo whose services <paramref name="silo"/> are.</summary>
    public static SwitchableStorage Of(IServiceProvider silo) =>
        (SwitchableStorage)silo.GetRequiredKeyedService<IGrainStorage>(ServeOptions.StorageName);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_states.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Failing)
        {
            throw new IOException("The test took the store down.");
        }
        var version = _states.AddOrUpdate((stateName, grainId), (copier.Copy(grainState.State)!, 1), (_, old) => (copier.Copy(grainState.State)!, old.Version + 1)).Version;
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Failing)
        {
            throw new IOException("The test took the store down.");
        }
        _states.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Changes the stored state of <paramref name="grainId"/> in place, as an earlier activation may have left it: the
    /// next activation reads it.
    /// </summary>
    public void Change<T>(string stateName, GrainId grainId, Action<T> change)
    {
        var (state, version) = _states[(stateName, grainId)];
        var copy = copier.Copy((T)state);
        change(copy);
        _states[(stateName, grainId)] = (copy!, version);
    }
}
