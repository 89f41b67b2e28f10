using System.Collections.Concurrent;

namespace Serve.Tests.Multiplexing;

/// <summary>What the multiplexed test deployments did, by test key: every load and dispose, with the instance that did it.</summary>
public sealed class ZooLedger
{
    private static readonly ConcurrentDictionary<string, ZooLedger> Ledgers = new();

    public static ZooLedger Create(string key) => Ledgers[key] = new ZooLedger();

    public static ZooLedger Get(string key) => Ledgers.TryGetValue(key, out var ledger) ? ledger : Create(key);

    public ConcurrentQueue<(string Instance, string Model)> Loads { get; } = new();

    public ConcurrentQueue<(string Instance, string Model)> Disposed { get; } = new();
}
