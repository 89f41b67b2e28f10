using System.Security.Cryptography;
using System.Text;

namespace Serve.Dashboard;

/// <summary>
/// The dashboard's logged-in browsers: a random session id per login, held in an HttpOnly cookie, valid for
/// <see cref="Lifetime"/> or until logout. Only a hash of each id is kept, at most <see cref="MaxSessions"/> of them
/// (the oldest go first), so neither memory nor a heap dump gives a usable cookie away. Sessions live in this gateway
/// process: a restart logs everyone out.
/// </summary>
internal sealed class DashboardSessions(TimeProvider time)
{
    public const int MaxSessions = 256;

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>32 random bytes, base64url without padding.</summary>
    private const int IdLength = 43;

    private readonly Dictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A new session; its id goes in the cookie.</summary>
    public string Create()
    {
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var (key, expiry) in _expiries)
            {
                if (expiry <= now)
                {
                    _expiries.Remove(key);
                }
            }
            if (_expiries.Count >= MaxSessions)
            {
                _expiries.Remove(_expiries.MinBy(e => e.Value).Key);
            }
            _expiries[Hash(id)] = now + Lifetime;
        }
        return id;
    }

    public bool IsValid(string? id)
    {
        if (id is not { Length: IdLength })
        {
            return false;
        }
        var hash = Hash(id);
        lock (_lock)
        {
            return _expiries.TryGetValue(hash, out var expiry) && expiry > time.GetUtcNow();
        }
    }

    public void Remove(string? id)
    {
        if (id is { Length: IdLength })
        {
            var hash = Hash(id);
            lock (_lock)
            {
                _expiries.Remove(hash);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _expiries.Count;
            }
        }
    }

    // Looked up by hash: how long a lookup takes says nothing about the ids held.
    private static string Hash(string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
