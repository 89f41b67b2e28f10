namespace Serve.Tests.Infrastructure;

/// <summary>Polls status with a deadline until a condition holds; fails with the last status otherwise.</summary>
public static class StatusWaiter
{
    public static async Task<ServeStatus> WaitForAsync(this IServeClient serve, Func<ServeStatus, bool> condition, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        ServeStatus status;
        while (!condition(status = await serve.GetStatusAsync(deadline.Token)))
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Status never met the condition. Last: {System.Text.Json.JsonSerializer.Serialize(status)}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
        return status;
    }

    public static DeploymentStatus Deployment(this ServeStatus status, string application, string deployment) =>
        status.Applications[application].Deployments[deployment];
}
