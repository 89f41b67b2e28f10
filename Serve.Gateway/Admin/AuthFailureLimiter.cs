using System.Net;
using Microsoft.Extensions.Options;
using Serve.Exchange;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// Slows token guessing on the admin port: a remote address that presents a wrong token (a bearer token or the
/// dashboard's login form) <see cref="ServeAdminOptions.MaxFailedAuthentications"/> times within a minute is refused,
/// right token or not, until that minute ends. An IPv6 address counts with its whole /64 (<see cref="AddressGroup"/>),
/// which one host is normally given, so a guesser cannot take a fresh address for each try. Addresses are tracked only
/// while they have failures in their minute, at most <see cref="MaxTracked"/> of them; past that, new addresses share
/// one count, so a guesser spread over many addresses is slowed as one.
/// </summary>
internal sealed class AuthFailureLimiter
{
    /// <summary>The window failures are counted in.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>The most addresses tracked at once.</summary>
    internal const int MaxTracked = 4096;

    private static readonly AddressGroup Overflow = AddressGroup.Of(IPAddress.None);

    private readonly Dictionary<AddressGroup, Failures> _failures = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _limit;

    public AuthFailureLimiter(IOptions<ServeAdminOptions> options, TimeProvider time)
    {
        _limit = options.Value.MaxFailedAuthentications;
        _time = time;
    }

    /// <summary>How long <paramref name="remote"/> must wait before it may present a token again; null when it may now.</summary>
    public TimeSpan? RetryAfter(IPAddress? remote)
    {
        if (_limit == 0)
        {
            return null;
        }
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(remote);
            if (!_failures.TryGetValue(key, out var failures) && !_failures.TryGetValue(Overflow, out failures))
            {
                return null;
            }
            var ends = failures.Since + Window;
            return failures.Count >= _limit && now < ends ? ends - now : null;
        }
    }

    /// <summary>Counts a wrong token from <paramref name="remote"/>; returns its count in the current window.</summary>
    public int Failed(IPAddress? remote)
    {
        if (_limit == 0)
        {
            return 0;
        }
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(remote);
            if (!_failures.ContainsKey(key) && _failures.Count >= MaxTracked)
            {
                Prune(now);
                if (_failures.Count >= MaxTracked)
                {
                    key = Overflow;
                }
            }
            var failures = _failures.TryGetValue(key, out var known) && now < known.Since + Window ? known : new Failures(now, 0);
            failures = failures with { Count = failures.Count + 1 };
            _failures[key] = failures;
            return failures.Count;
        }
    }

    /// <summary>The count at which an address is refused; 0 when the limiter is off.</summary>
    public int Limit => _limit;

    private static AddressGroup Key(IPAddress? remote) => remote is null ? Overflow : AddressGroup.Of(remote);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, failures) in _failures)
        {
            if (now >= failures.Since + Window)
            {
                _failures.Remove(address);
            }
        }
    }

    private readonly record struct Failures(DateTimeOffset Since, int Count);
}
