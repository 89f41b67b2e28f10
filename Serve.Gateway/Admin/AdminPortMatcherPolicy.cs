using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Serve.Admin;

/// <summary>
/// Keeps the admin API and the gateway apart although they share one Kestrel server: a request that came in on the
/// admin listener matches admin endpoints only, and any other request never matches one. It goes by the listener that
/// accepted the connection, not by the Host header, which the client chooses.
/// </summary>
internal sealed class AdminPortMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    // Every endpoint, admin or not, must be checked: a gateway endpoint must not answer on the admin port either.
    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onAdminPort = httpContext.Features.Get<AdminConnectionFeature>() is not null;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && (candidates[i].Endpoint.Metadata.GetMetadata<AdminEndpointMetadata>() is not null) != onAdminPort)
            {
                candidates.SetValidity(i, false);
            }
        }
        return Task.CompletedTask;
    }
}
