using System.Security.Cryptography.X509Certificates;

namespace Serve.Cluster;

/// <summary>
/// Whether a peer's certificate chains to the cluster's CA: the one test a silo or client applies to whoever is at the
/// other end of a connection. Only the given CA certificates are roots (never the machine's trust store), revocation
/// is not checked (a private CA publishes no revocation list), and host names are not compared.
/// </summary>
internal sealed class ClusterPeerTrust(X509Certificate2Collection authorities, TimeProvider time)
{
    public bool Trusts(X509Certificate2 peer, X509Chain? presented, out string reason)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.VerificationTime = time.GetLocalNow().DateTime;
        if (presented is not null)
        {
            // Intermediates the peer sent along; they are links only, never roots.
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (chain.Build(peer))
        {
            reason = "";
            return true;
        }
        var problems = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        reason = $"'{peer.Subject}' (issued by '{peer.Issuer}') does not chain to the cluster's CA: {string.Join(" ", problems)}";
        return false;
    }
}
