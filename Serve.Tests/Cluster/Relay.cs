using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Serve.Exchange;

namespace Serve.Tests.Cluster;

/// <summary>
/// Runs in the worker processes: calls <see cref="Workload"/> through a handle and reports which process answered, beside
/// the count of its silo's data-plane calls, so a test can tell handle calls to another silo's replicas go that way; and
/// keeps steady load on it in the background, counting each call's outcome, so a test can kill a worker under it.
/// </summary>
[Deployment(NumReplicas = 1)]
public sealed class Relay(DeploymentHandle<IWorkload> workload, IServiceProvider services) : IRelay, IAsyncDisposable
{
    private const int Callers = 8;
    private readonly CallLedger _ledger = new();
    private readonly CancellationTokenSource _stop = new();
    private Task[] _callers = [];
    private long _dataPlaneBefore;
    private long _measuredOverDataPlane;
    private int _listening;
    // Counts the handle calls this process measures as sent over the data plane; its own listening turns the measuring on.
    private readonly MeterListener _listener = new();

    private void StartListening()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Serve" && instrument.Name == "serve.handle.call.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "serve.call.transport", Value: "data_plane" })
                {
                    Interlocked.Increment(ref _measuredOverDataPlane);
                }
            }
        });
        _listener.Start();
    }

    private ExchangeClient? Exchange => services.GetService<ExchangeClient>();

    public async Task<RelayReport> RelayAsync(int calls, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _listening, 1) == 0)
        {
            StartListening();
        }
        var measuredBefore = Interlocked.Read(ref _measuredOverDataPlane);
        var before = Exchange?.Calls ?? 0;
        // All at once, each holding its replica 5 ms: one at a time, or done before the next is sent, each would find this
        // silo's replica idle and go to it (routers prefer their own silo's while it is no busier than one elsewhere).
        var answered = await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => workload.Remote.WorkAsync(5, cancellationToken)));
        var elsewhere = answered.Count(process => process != Environment.ProcessId);
        return new RelayReport(elsewhere, (Exchange?.Calls ?? 0) - before, Interlocked.Read(ref _measuredOverDataPlane) - measuredBefore);
    }

    public Task<int> StartLoadAsync()
    {
        if (_callers.Length == 0)
        {
            _dataPlaneBefore = Exchange?.Calls ?? 0;
            var idempotent = workload.WithOptions(workload.CallOptions with { Idempotent = true });
            _callers = Enumerable.Range(0, Callers)
                .Select(i => i % 2 == 0
                    ? _ledger.RunAsync(idempotent: true, () => idempotent.Remote.WorkAsync(20), _stop.Token)
                    : _ledger.RunAsync(idempotent: false, () => workload.Remote.WorkAsync(20), _stop.Token))
                .ToArray();
        }
        return Task.FromResult(Environment.ProcessId);
    }

    public async Task<RelayLoadReport> LoadReportAsync(bool stop)
    {
        if (stop)
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_callers);
        }
        return new RelayLoadReport(
            _ledger.Sent, _ledger.Succeeded, _ledger.Failed, new(_ledger.Failures(idempotent: true)), new(_ledger.Failures(idempotent: false)),
            [.. _ledger.Samples], (Exchange?.Calls ?? 0) - _dataPlaneBefore);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _stop.CancelAsync();
        await Task.WhenAll(_callers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
