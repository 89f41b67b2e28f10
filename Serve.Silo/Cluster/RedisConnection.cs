using StackExchange.Redis;

namespace Serve.Cluster;

/// <summary>Turns <see cref="ServeClusterOptions.RedisConnectionString"/> into StackExchange.Redis options.</summary>
internal static class RedisConnection
{
    public static ConfigurationOptions? TryParse(string? connectionString, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "it is empty";
            return null;
        }
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            if (options.EndPoints.Count == 0)
            {
                error = "it names no host:port";
                return null;
            }
            return options;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The options for a validated connection string (validation runs at start, before any connection).</summary>
    public static ConfigurationOptions? From(ServeClusterOptions options) => TryParse(options.RedisConnectionString, out _);
}
