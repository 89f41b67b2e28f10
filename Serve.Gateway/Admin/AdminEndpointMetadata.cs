namespace Serve.Admin;

/// <summary>Marks the admin API's endpoints: reachable on the admin port only, while every other endpoint is unreachable there.</summary>
internal sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();

    private AdminEndpointMetadata()
    {
    }
}
