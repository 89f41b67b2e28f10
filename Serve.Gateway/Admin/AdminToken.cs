using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// Checks the bearer token of admin calls in constant time: both sides are hashed to 32 bytes first, so neither the
/// content nor the length of the token leaks through timing.
/// </summary>
internal sealed class AdminToken
{
    private const string Scheme = "Bearer ";

    private readonly byte[]? _expected;

    public AdminToken(IOptions<ServeAdminOptions> options) =>
        _expected = string.IsNullOrEmpty(options.Value.Token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Token));

    /// <summary>False when no token is configured: then the admin API listens on loopback only and takes every call.</summary>
    public bool IsRequired => _expected is not null;

    public bool Accepts(string? authorization)
    {
        if (_expected is null)
        {
            return true;
        }
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return Matches(authorization[Scheme.Length..].Trim());
    }

    /// <summary>Whether <paramref name="presented"/> is the token itself (the dashboard's login form sends it bare); true when none is configured.</summary>
    public bool Matches(string presented)
    {
        if (_expected is null)
        {
            return true;
        }
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
    }
}
