using System.Text.Json;

namespace Serve.Tests.Deployments;

/// <summary>Takes its greeting from the user config; counts how often it was reconfigured.</summary>
[Deployment(NumReplicas = 2)]
public sealed class Configured : IConfigured, IReconfigurable
{
    private readonly string _id = Guid.NewGuid().ToString("N");
    private string _greeting = "unset";

    public Task ReconfigureAsync(JsonElement userConfig, CancellationToken cancellationToken)
    {
        _greeting = userConfig.GetProperty("greeting").GetString()!;
        return Task.CompletedTask;
    }

    public Task<string> DescribeAsync(CancellationToken cancellationToken = default) => Task.FromResult($"{_greeting}:{_id}");
}
