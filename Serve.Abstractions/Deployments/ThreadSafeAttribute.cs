namespace Serve;

/// <summary>
/// Declares a deployment class safe to call on several threads at once: calls from its replica's own silo (the
/// gateway's HTTP exchanges with the ingress replicas it hosts, handle calls between replicas of one silo) then run on
/// the caller's thread, concurrently with each other, instead of one at a time on the replica's turns.
/// </summary>
/// <remarks>
/// Without it a replica runs its code one piece at a time on its own turns: calls interleave at awaits but never run on
/// two threads at once, whoever calls. With it the class must guard its own state (as an ASP.NET Core singleton does): calls, and also
/// <see cref="IReconfigurable.ReconfigureAsync"/> and <see cref="ICustomHealthCheck.CheckHealthAsync"/>, may run at the
/// same time. Admission (MaxOngoingRequests), drain on stop, deadlines, cancellation, metrics and faults stay as they
/// are; calls that arrive as Orleans messages (from other silos and external clients) still run as turns. Not
/// inherited: a subclass adds state of its own, and declares itself.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ThreadSafeAttribute : Attribute;
