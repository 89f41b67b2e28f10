namespace Serve.Exchange;

/// <summary>
/// Whether routers keep new calls away from the replicas behind one silo's data-plane endpoint: from the moment its
/// connection is found unresponsive (<see cref="ExchangeLiveness"/>) until a connection to it works again (the silo
/// answered a handshake, so it runs), and at most <see cref="Limit"/>. Past that the silo, not declared dead by the
/// cluster's membership meanwhile, answers Orleans' probes: its replicas take calls again, through Orleans while its data
/// plane stays out of reach, as for any silo whose data plane cannot be reached. One per endpoint, shared by every
/// router of the process; a router's replica holds it (<see cref="Routing.RoutedReplica.Avoidance"/>).
/// </summary>
internal sealed class PeerAvoidance(TimeProvider time)
{
    /// <summary>The longest a silo is avoided without a working connection: above any membership's declaration of death.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private const long NotAvoided = 0;

    private long _until = NotAvoided;

    /// <summary>Whether its replicas are to be left alone now. Cheap while it is not: one read.</summary>
    public bool IsAvoided
    {
        get
        {
            var until = Volatile.Read(ref _until);
            return until != NotAvoided && time.GetTimestamp() < until;
        }
    }

    /// <summary>When the avoidance ends unless a connection works before: the clock's timestamp, or 0 when none runs.</summary>
    public long Until => Volatile.Read(ref _until);

    /// <summary>The silo's connection was found unresponsive: its replicas are avoided from now, for at most <see cref="Limit"/>.</summary>
    public void Unresponsive() =>
        Volatile.Write(ref _until, Math.Max(1, time.GetTimestamp() + (long)(Limit.TotalSeconds * time.TimestampFrequency)));

    /// <summary>A connection to the silo works: its replicas take calls again. True when they were avoided until now.</summary>
    public bool Responsive()
    {
        var until = Interlocked.Exchange(ref _until, NotAvoided);
        return until != NotAvoided && time.GetTimestamp() < until;
    }
}
