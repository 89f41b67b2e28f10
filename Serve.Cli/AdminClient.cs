using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;
using Serve.Admin;
using Serve.Http;

namespace Serve.Cli;

/// <summary>
/// Calls a gateway's admin API, turning every failure into a <see cref="CliException"/> that says what to do. A 503
/// (the cluster could not carry the call to its grain, as for a few seconds after a silo dies) is
/// sent again, backing off, for about half a minute.
/// </summary>
internal sealed class AdminClient : IDisposable
{
    private static readonly ResiliencePipeline<HttpResponseMessage> ClusterSettling = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>().HandleResult(r => r.StatusCode == HttpStatusCode.ServiceUnavailable),
            MaxRetryAttempts = 16,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(2),
        })
        .Build();

    private readonly HttpClient _http;
    private readonly Uri _address;
    private readonly bool _hasToken;

    public AdminClient(Uri address, string? token)
    {
        _address = address;
        _hasToken = !string.IsNullOrEmpty(token);
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        if (_hasToken)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public async Task<ServeDetails> GetAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/serve/applications"), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<ServeDetails>(AdminJson.Options, cancellationToken))!;
    }

    /// <summary>One application (the gateway asks the controller for that one alone); null when there is none of that name.</summary>
    public async Task<ApplicationDetails?> GetApplicationAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/serve/applications/{Uri.EscapeDataString(name)}"), cancellationToken, notFoundIsAnswer: true);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : (await response.Content.ReadFromJsonAsync<ApplicationDetails>(AdminJson.Options, cancellationToken))!;
    }

    /// <summary>The route table's version and which live gateways do not serve it yet.</summary>
    public async Task<RoutesDetails> GetRoutesAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/serve/routes"), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<RoutesDetails>(AdminJson.Options, cancellationToken))!;
    }

    /// <summary>Applies a config; an invalid one throws with every error the gateway reported.</summary>
    public async Task<ApplyConfigResponse> PutConfigAsync(string config, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, "api/serve/applications")
        {
            Content = new StringContent(config, Encoding.UTF8, "application/yaml"),
        }, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<ApplyConfigResponse>(AdminJson.Options, cancellationToken))!;
    }

    /// <summary>Starts deleting one application, or every one when <paramref name="application"/> is null.</summary>
    public async Task<DeletingResponse> DeleteAsync(string? application, CancellationToken cancellationToken)
    {
        var path = application is null ? "api/serve/applications" : $"api/serve/applications/{Uri.EscapeDataString(application)}";
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, path), cancellationToken);
        return (await response.Content.ReadFromJsonAsync<DeletingResponse>(AdminJson.Options, cancellationToken))!;
    }

    /// <summary>Sends a request made by <paramref name="request"/> (a new one per try: a sent message cannot be sent again).</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken, bool notFoundIsAnswer = false)
    {
        var response = await ClusterSettling.ExecuteAsync(async token => await SendOnceAsync(request(), token), cancellationToken);
        if (response.Headers.Contains(HttpCall.RequestIdHeader))
        {
            // Only the HTTP gateway stamps a request id: the address is its port (8000), where the applications are
            // served, not the admin API's, and its answer (an application's, or "no application serves this path") is no
            // admin answer at all.
            response.Dispose();
            throw new CliException(
                $"{_address} is Serve's HTTP gateway, where applications are served, not its admin API. Fix: pass the admin API's address with --address "
                + "(or SERVE_ADDRESS): its own port, Serve:Admin:Port (8265 by default), which a Serve prints at start as 'admin API: http://...'.", ExitCodes.Unreachable);
        }
        if (response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound))
        {
            return response;
        }
        using (response)
        {
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new CliException(_hasToken
                    ? $"The admin API at {_address} rejected the token. Fix: pass the gateway's Serve:Admin:Token with --token or SERVE_ADMIN_TOKEN."
                    : $"The admin API at {_address} needs a bearer token. Fix: pass --token, or set SERVE_ADMIN_TOKEN.", ExitCodes.Unreachable),
                _ => new CliException(await DescribeAsync(response, cancellationToken), ExitCodes.Failed),
            };
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach the Serve admin API at {_address}: {e.Message}. Is a gateway running there (serve run), and is --address (or SERVE_ADDRESS) right?", ExitCodes.Unreachable, transient: true);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"The Serve admin API at {_address} did not answer within {_http.Timeout.TotalSeconds:0} s.", ExitCodes.Unreachable, transient: true);
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>The problem the gateway reported: its title, detail and, for an invalid config, every error on its own line.</summary>
    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var text = new StringBuilder(root.TryGetProperty("title", out var title) ? title.GetString() : $"{(int)response.StatusCode} {response.ReasonPhrase}");
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in errors.EnumerateArray())
                {
                    text.AppendLine().Append("  - ").Append(error.GetString());
                }
            }
            else if (root.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } message)
            {
                text.Append(' ').Append(message);
            }
            return text.ToString();
        }
        catch (JsonException)
        {
            return $"The admin API answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}";
        }
    }

    public void Dispose() => _http.Dispose();
}
