namespace Serve.Http;

/// <summary>
/// A grain observer as its own process holds it: the object itself, called directly there, which knows the Orleans
/// reference another process reaches it by. <see cref="HttpCallCodec"/> writes that reference when a call carrying the
/// object leaves the process, so a replica in the gateway's own process pushes and pulls without an Orleans message.
/// </summary>
internal interface IReferencedObserver<out T> where T : class, IGrainObserver
{
    /// <summary>The reference other processes call it by, made with <see cref="IGrainFactory.CreateObjectReference{TGrainObserverInterface}(IGrainObserver)"/>.</summary>
    T Reference { get; }
}
