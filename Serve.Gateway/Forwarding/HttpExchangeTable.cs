using System.Collections.Concurrent;

namespace Serve.Forwarding;

/// <summary>
/// The gateway's open exchanges by id, for the pushes and pulls of replicas that name them. Every request opens one and
/// nearly all close it unused, so opening and closing cost no lock and no allocation: an exchange takes the slot of its
/// id modulo the table's size (ids count up, one per request); one whose slot is still held by an older exchange that
/// is still open (a long stream or WebSocket, once ids came round) goes to a dictionary instead.
/// </summary>
internal sealed class HttpExchangeTable
{
    /// <summary>Slots: well over the requests a gateway has open at once, so that a slot is nearly always free when its turn comes.</summary>
    internal const int Slots = 4096;

    private readonly HttpExchange?[] _slots = new HttpExchange?[Slots];
    private readonly ConcurrentDictionary<long, HttpExchange> _overflow = new();

    /// <summary>Exchanges open now.</summary>
    public int Count => Values.Count();

    /// <summary>The exchanges open now.</summary>
    public IEnumerable<HttpExchange> Values
    {
        get
        {
            foreach (var exchange in _slots)
            {
                if (exchange is not null)
                {
                    yield return exchange;
                }
            }
            foreach (var exchange in _overflow.Values)
            {
                yield return exchange;
            }
        }
    }

    /// <summary>Opens <paramref name="exchange"/>, whose id no open exchange has.</summary>
    public void Add(HttpExchange exchange)
    {
        if (Interlocked.CompareExchange(ref _slots[SlotOf(exchange.Id)], exchange, null) is not null)
        {
            _overflow[exchange.Id] = exchange;
        }
    }

    /// <summary>The open exchange <paramref name="id"/> names; false when none does (ended, or never opened here).</summary>
    public bool TryGet(long id, out HttpExchange exchange)
    {
        if (Volatile.Read(ref _slots[SlotOf(id)]) is { } held && held.Id == id)
        {
            exchange = held;
            return true;
        }
        return _overflow.TryGetValue(id, out exchange!);
    }

    /// <summary>Closes <paramref name="exchange"/>: its id names nothing any more.</summary>
    public void Remove(HttpExchange exchange)
    {
        if (Interlocked.CompareExchange(ref _slots[SlotOf(exchange.Id)], null, exchange) != exchange)
        {
            _overflow.TryRemove(exchange.Id, out _);
        }
    }

    // Any id a replica sends lands in the table, negative ones included.
    private static int SlotOf(long id) => (int)(id & (Slots - 1));
}
