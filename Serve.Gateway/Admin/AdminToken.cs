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
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
