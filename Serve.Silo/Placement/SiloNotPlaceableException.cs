namespace Serve.Placement;

/// <summary>
/// A Serve placement director's refusal: the silo a grain must go to cannot take it now (not active, or not yet known
/// to host replicas). Its caller, the deployment grain, places the replica again or reads the ledger later.
/// </summary>
/// <remarks>
/// Orleans (10.4) runs <c>IPlacementDirector.OnAddActivation</c> under its "Orleans.Placement" resilience pipeline
/// (<c>OrleansRuntimeResiliencePolicies</c>), which retries any <see cref="OrleansException"/> or
/// <see cref="TimeoutException"/> with backoff, Polly logging a Warning with the stack for each attempt; the exception
/// left then goes to the caller as it is, and is logged once more as an Error with its stack ("Failed to address
/// message": <c>MessageCenter.AddressAndSendMessage</c>, <c>RuntimeMessagingTrace.OnDispatcherSelectTargetFailed</c>)
/// unless its base exception (<see cref="Exception.GetBaseException"/>) is a <see cref="KeyNotFoundException"/>
/// or a <c>ClientNotAvailableException</c>. A refusal that its caller handles as routine is neither to retry nor an
/// error for an operator to read: so this is no <see cref="OrleansException"/> (<see cref="SiloUnavailableException"/>,
/// which a director threw before, is one, and sealed), and its inner exception is a <see cref="KeyNotFoundException"/>
/// (the silo was not found among those Orleans may place the grain on), the only hook Orleans offers against the Error.
/// </remarks>
[GenerateSerializer, Alias("serve.silo-not-placeable-exception")]
internal sealed class SiloNotPlaceableException : ServeException
{
    public SiloNotPlaceableException(string silo, string message)
        : base(message, new KeyNotFoundException(message))
    {
        Silo = silo;
    }

    /// <summary>The silo that could not take the grain.</summary>
    [Id(0)] public string Silo { get; }
}
