using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Serve.Tests.Cluster;

/// <summary>
/// One gateway silo as a real process: <c>dotnet Serve.Gateway.dll</c>, hosting no replicas, with its HTTP port and
/// admin port. Ready once its silo is active and <c>/-/healthz</c> answers, which needs a route table from the controller.
/// </summary>
public sealed partial class GatewayProcess(string name, int siloPort, int gatewayPort, int httpPort, IReadOnlyDictionary<string, string> environment)
    : SiloProcess(name, "Serve.Gateway.dll", ActiveLine(), siloPort, gatewayPort, environment)
{
    private readonly HttpClient _probe = new() { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };

    public int HttpPort { get; } = httpPort;

    /// <summary>The admin API's address when the gateway was given <c>Serve__Admin__Port</c>, e.g. <c>http://127.0.0.1:12346</c>.</summary>
    public Uri? AdminAddress { get; } = environment.TryGetValue("Serve__Admin__Port", out var port) ? new Uri($"http://127.0.0.1:{port}") : null;

    /// <summary>The gateway's HTTP address, e.g. <c>http://127.0.0.1:12345/</c>.</summary>
    public Uri BaseAddress => _probe.BaseAddress!;

    public override async ValueTask DisposeAsync()
    {
        _probe.Dispose();
        await base.DisposeAsync();
    }

    protected override async Task WaitUntilReadyAsync(DateTime deadline)
    {
        var last = "";
        while (true)
        {
            try
            {
                using var response = await _probe.GetAsync("/-/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (!IsRunning || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name}: /-/healthz never answered 200 (last: {last}). Its output:{Environment.NewLine}{RecentOutput}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Polls <c>/-/routes</c> until the gateway's route table has <paramref name="prefix"/>, as it does once the controller's snapshot reached it.</summary>
    public async Task WaitForRouteAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (true)
        {
            try
            {
                var routes = await _probe.GetFromJsonAsync<Dictionary<string, string>>("/-/routes");
                if (routes!.ContainsKey(prefix))
                {
                    return;
                }
                last = string.Join(", ", routes.Keys);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Name} never routed {prefix} within {timeout} (last: {last}).");
            }
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"Gateway silo (\S+) is active")]
    private static partial Regex ActiveLine();
}
