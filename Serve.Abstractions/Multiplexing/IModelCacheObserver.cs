namespace Serve.Multiplexing;

/// <summary>Hears what a replica's model cache does, for metrics.</summary>
internal interface IModelCacheObserver
{
    /// <summary>A request asked for a model: <paramref name="hit"/> when it was loaded already.</summary>
    void ModelRequested(bool hit);

    /// <summary>A load ended, after <paramref name="duration"/>.</summary>
    void ModelLoaded(TimeSpan duration, bool failed);

    void ModelEvicted();

    /// <summary>An evicted model's Dispose threw.</summary>
    void ModelDisposeFailed(Exception error);
}
