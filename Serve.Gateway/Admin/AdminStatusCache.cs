using Microsoft.Extensions.Options;
using Serve.Grains;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// The admin API's status, built once per controller snapshot version. Every read asks the controller whether its
/// version moved (a small round trip that carries nothing when it did not); only then is the status shipped and the
/// changed applications' details rebuilt, and the JSON body serialized again on first use. At ten thousand replicas a
/// status call that found nothing changed costs the round trip and writing the bytes.
/// </summary>
internal sealed class AdminStatusCache
{
    /// <summary>A version no controller publishes: the first read always fetches.</summary>
    private const long NoVersion = long.MinValue;

    private readonly Func<long, CancellationToken, Task<StatusView?>> _fetch;
    private readonly HttpOptionsDetails _http;
    private readonly SemaphoreSlim _building = new(1, 1);
    private AdminView? _view;
    private long _builds;

    public AdminStatusCache(IGrainFactory grains, IOptions<ServeGatewayOptions> gateway)
        : this((version, cancellationToken) => grains.GetGrain<IControllerGrain>(IControllerGrain.Key).GetStatusViewAsync(version).WaitAsync(cancellationToken), gateway.Value)
    {
    }

    internal AdminStatusCache(Func<long, CancellationToken, Task<StatusView?>> fetch, ServeGatewayOptions gateway)
    {
        _fetch = fetch;
        _http = new HttpOptionsDetails(gateway.Host, gateway.Port, gateway.RequestTimeout?.TotalSeconds);
    }

    /// <summary>Views built so far: one per snapshot version some read found new.</summary>
    public long Builds => Interlocked.Read(ref _builds);

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
            return view;
        }
        finally
        {
            _building.Release();
        }
    }
}
