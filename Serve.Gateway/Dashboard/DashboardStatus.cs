using System.Text.Json.Serialization;
using Serve.Admin;

namespace Serve.Dashboard;

/// <summary>What the dashboard's table shows: the admin API's details, and the requests this gateway has in flight per replica.</summary>
internal sealed record DashboardStatus
{
    /// <summary>Whether the admin API needs a token (then the page offers logout).</summary>
    [JsonPropertyName("token_required")] public bool TokenRequired { get; init; }

    [JsonPropertyName("applications")] public required IReadOnlyDictionary<string, ApplicationDetails> Applications { get; init; }

    /// <summary>Requests this gateway process has in flight, by replica id; replicas it sends nothing to are absent.</summary>
    [JsonPropertyName("ongoing_requests")] public required IReadOnlyDictionary<string, int> OngoingRequests { get; init; }
}
