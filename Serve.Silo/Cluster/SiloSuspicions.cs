using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Serve.Cluster;

/// <summary>
/// Which active silos another silo currently suspects (a fresh vote in the membership table): on the way to being
/// declared dead, or back once the votes expire. Orleans' membership snapshot says only Active until the death is
/// declared, which takes 13-17 s with default liveness; replicas placed there meanwhile never start. The table is read
/// once per membership version (a suspicion changes the version), shared by every deployment on this silo.
/// </summary>
internal sealed class SiloSuspicions
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    private readonly IMembershipTable? _table;
    private readonly TimeProvider _time;
    private readonly TimeSpan _voteExpiration;
    private readonly Lock _gate = new();
    private (MembershipVersion Version, Task<IReadOnlySet<string>> Read)? _last;

    public SiloSuspicions(IServiceProvider services, TimeProvider time, IOptions<ClusterMembershipOptions> options)
    {
        _table = services.GetService<IMembershipTable>();
        _time = time;
        _voteExpiration = options.Value.DeathVoteExpirationTimeout;
    }

    /// <summary>The silos suspected as of the last read (empty before the first).</summary>
    public IReadOnlySet<string> Current
    {
        get
        {
            lock (_gate)
            {
                return _last is { Read.IsCompletedSuccessfully: true } last ? last.Read.Result : new HashSet<string>();
            }
        }
    }

    /// <summary>The silos suspected at membership <paramref name="version"/> or later; empty when the table cannot be read in time.</summary>
    public Task<IReadOnlySet<string>> ReadAsync(MembershipVersion version)
    {
        lock (_gate)
        {
            if (_last is { } last && last.Version >= version)
            {
                return last.Read;
            }
            var read = ReadCoreAsync();
            _last = (version, read);
            return read;
        }
    }

    private async Task<IReadOnlySet<string>> ReadCoreAsync()
    {
        if (_table is null)
        {
            return new HashSet<string>();
        }
        try
        {
            var data = await _table.ReadAllAsync(CancellationToken.None).WaitAsync(ReadTimeout, _time);
            var now = _time.GetUtcNow().UtcDateTime;
            return data.Members
                .Where(m => m.Item1.Status == SiloStatus.Active
                    && (m.Item1.SuspectTimes ?? []).Any(vote => now - vote.Item2 < _voteExpiration))
                .Select(m => m.Item1.SiloAddress.ToString())
                .ToHashSet();
        }
        catch (Exception)
        {
            // Unknown is not suspected: placement then relies on its own findings (silos found unreachable).
            return new HashSet<string>();
        }
    }
}
