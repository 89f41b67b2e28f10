using System.Text.Json;

namespace Serve.Tests.Deployments;

/// <summary>Takes its greeting from the user config, and refuses the greeting "refused" (its ReconfigureAsync throws).</summary>
[Deployment(NumReplicas = 2)]
public sealed class PickyConfigured : IConfigured, IReconfigurable
{
    private readonly string _id = Guid.NewGuid().ToString("N");
    private string _greeting = "unset";

    public Task ReconfigureAsync(JsonElement userConfig, CancellationToken cancellationToken)
    {
        var greeting = userConfig.GetProperty("greeting").GetString()!;
        if (greeting == "refused")
        {
            throw new ArgumentException("the greeting 'refused' is not allowed");
        }
        _greeting = greeting;
        return Task.CompletedTask;
    }

    public Task<string> DescribeAsync(CancellationToken cancellationToken = default) => Task.FromResult($"{_greeting}:{_id}");
}
