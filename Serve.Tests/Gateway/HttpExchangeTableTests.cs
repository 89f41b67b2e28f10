using Microsoft.AspNetCore.Http;
using Serve.Forwarding;
using Serve.Tests.Http;

namespace Serve.Tests.Gateway;

/// <summary>The gateway's open exchanges by id: what a replica's push or pull naming an id finds.</summary>
public sealed class HttpExchangeTableTests
{
    private readonly HttpExchangeTable _table = new();

    private static HttpExchange Exchange(long id) => new(new RecordingExchangeChannel(), id, new DefaultHttpContext(), TimeProvider.System);

    [Fact]
    public void TryGet_OpenExchange_FoundUntilRemoved()
    {
        var exchange = Exchange(7);
        _table.Add(exchange);

        Assert.True(_table.TryGet(7, out var found));
        Assert.Same(exchange, found);
        _table.Remove(exchange);
        Assert.False(_table.TryGet(7, out _));
        Assert.Empty(_table.Values);
    }

    [Fact]
    public void TryGet_IdSharingTheSlotOfAnOpenExchange_NotFoundAsThatExchange()
    {
        _table.Add(Exchange(7));

        Assert.False(_table.TryGet(7 + HttpExchangeTable.Slots, out _));
        Assert.False(_table.TryGet(7 - HttpExchangeTable.Slots, out _));
        Assert.False(_table.TryGet(long.MinValue + 7, out _));
    }

    [Fact]
    public void Add_SlotHeldByAnOlderExchangeStillOpen_BothFoundAndEachRemovedAlone()
    {
        // A long stream still open when the ids came round to its slot.
        var older = Exchange(3);
        var newer = Exchange(3 + HttpExchangeTable.Slots);
        _table.Add(older);
        _table.Add(newer);

        Assert.True(_table.TryGet(older.Id, out var first));
        Assert.Same(older, first);
        Assert.True(_table.TryGet(newer.Id, out var second));
        Assert.Same(newer, second);
        Assert.Equal(2, _table.Count);

        _table.Remove(older);
        Assert.False(_table.TryGet(older.Id, out _));
        Assert.True(_table.TryGet(newer.Id, out second));
        Assert.Same(newer, second);

        _table.Remove(newer);
        Assert.False(_table.TryGet(newer.Id, out _));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void Remove_NewerInTheDictionaryFirst_LeavesTheOlderInItsSlot()
    {
        var older = Exchange(3);
        var newer = Exchange(3 + HttpExchangeTable.Slots);
        _table.Add(older);
        _table.Add(newer);

        _table.Remove(newer);

        Assert.True(_table.TryGet(older.Id, out var found));
        Assert.Same(older, found);
        Assert.False(_table.TryGet(newer.Id, out _));
    }

    [Fact]
    public async Task AddAndRemove_ManyThreadsAtOnce_EachFindsItsOwnUntilItRemovesIt()
    {
        var next = 0L;
        var wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var exchange = Exchange(Interlocked.Increment(ref next));
                _table.Add(exchange);
                if (!_table.TryGet(exchange.Id, out var found) || found != exchange)
                {
                    Interlocked.Increment(ref wrong);
                }
                _table.Remove(exchange);
                if (_table.TryGet(exchange.Id, out _))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })));

        Assert.Equal(0, wrong);
        Assert.Empty(_table.Values);
    }
}
