using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serve.Grains;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// The admin API's status, built once per controller snapshot version. Every read asks the controller whether its
/// version moved (a small round trip that carries nothing when it did not); only then is the status shipped and the
/// changed applications' details rebuilt, and the JSON body serialized again on first use. At ten thousand replicas a
/// status call that found nothing changed costs the round trip and writing the bytes. A read of one application asks
/// the controller for that one alone, under the version that last changed it, so it neither ships nor rebuilds the others.
/// </summary>
internal sealed class AdminStatusCache
{
    /// <summary>A version no controller publishes: the first read always fetches.</summary>
    private const long NoVersion = long.MinValue;

    private readonly Func<long, CancellationToken, Task<StatusView?>> _fetch;
    private readonly Func<string, long, CancellationToken, Task<ApplicationView?>> _fetchApplication;
    private readonly ConcurrentDictionary<string, (long Version, BuiltApplication Built)> _applications = new(StringComparer.Ordinal);
    private readonly HttpOptionsDetails _http;
    private readonly SemaphoreSlim _building = new(1, 1);
    private AdminView? _view;
    private long _builds;
    private long _applicationBuilds;

    public AdminStatusCache(IGrainFactory grains, IOptions<ServeGatewayOptions> gateway)
        : this(
            (version, cancellationToken) => grains.GetGrain<IControllerGrain>(IControllerGrain.Key).GetStatusViewAsync(version).WaitAsync(cancellationToken),
            (name, version, cancellationToken) => grains.GetGrain<IControllerGrain>(IControllerGrain.Key).GetApplicationViewAsync(name, version).WaitAsync(cancellationToken),
            gateway.Value)
    {
    }

    internal AdminStatusCache(
        Func<long, CancellationToken, Task<StatusView?>> fetch,
        Func<string, long, CancellationToken, Task<ApplicationView?>> fetchApplication,
        ServeGatewayOptions gateway)
    {
        _fetch = fetch;
        _fetchApplication = fetchApplication;
        _http = new HttpOptionsDetails(gateway.Host, gateway.Port, gateway.RequestTimeout?.TotalSeconds);
    }

    /// <summary>Views built so far: one per snapshot version some read found new.</summary>
    public long Builds => Interlocked.Read(ref _builds);

    /// <summary>One-application reads that found the application changed (or new to this cache) and took it in.</summary>
    public long ApplicationBuilds => Interlocked.Read(ref _applicationBuilds);

    /// <summary>The status as the controller has it now: the cached view when its version is still current.</summary>
    public async Task<AdminView> GetAsync(CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref _view);
        var fresh = await _fetch(known?.Version ?? NoVersion, cancellationToken);
        if (fresh is null)
        {
            // Null answers only the version asked with, and NoVersion is never one: known is that version's view.
            return known ?? throw new InvalidOperationException("The controller answered 'unchanged' to a first status read.");
        }
        // Reads that all found the same new version build it once; the others wait for it.
        await _building.WaitAsync(cancellationToken);
        try
        {
            var current = Volatile.Read(ref _view);
            if (current?.Version == fresh.Version)
            {
                return current;
            }
            var view = AdminStatus.Build(fresh, _http, current);
            Volatile.Write(ref _view, view);
            Interlocked.Increment(ref _builds);
            // One-application reads of applications gone since are forgotten.
            foreach (var name in _applications.Keys.Where(n => !view.Built.ContainsKey(n)))
            {
                _applications.TryRemove(name, out _);
            }
            return view;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>
    /// One application as the controller has it now; null when there is none of that name. Only that application is
    /// asked for and, when it changed, rebuilt (or taken from the whole view when that holds the very same status and spec).
    /// </summary>
    public async Task<ApplicationDetails?> GetApplicationAsync(string name, CancellationToken cancellationToken)
    {
        var cached = _applications.TryGetValue(name, out var known);
        var fresh = await _fetchApplication(name, cached ? known.Version : NoVersion, cancellationToken);
        if (fresh is null)
        {
            // Null answers only the version asked with, and NoVersion is never one.
            return cached ? known.Built.Details : throw new InvalidOperationException($"The controller answered 'unchanged' to a first read of application '{name}'.");
        }
        if (fresh.Status is not { } status)
        {
            _applications.TryRemove(name, out _);
            return null;
        }
        var built = Volatile.Read(ref _view)?.Built.GetValueOrDefault(name) is { } shared && ReferenceEquals(shared.Status, status) && ReferenceEquals(shared.Spec, fresh.Spec)
            ? shared
            : AdminStatus.Build(status, fresh.Spec);
        Interlocked.Increment(ref _applicationBuilds);
        _applications[name] = (fresh.Version, built);
        return built.Details;
    }
}
