using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>The admin API's Kestrel listener: marks its connections, knows its bound address, and says at start how it is protected.</summary>
internal sealed partial class AdminListener(IOptions<ServeAdminOptions> options, AdminToken token, IHostApplicationLifetime lifetime, ILogger<AdminListener> logger) : IHostedService
{
    private ListenOptions? _listen;

    /// <summary>The admin API's address once the server has started (the bound port when <see cref="ServeAdminOptions.Port"/> is 0).</summary>
    public Uri? Address => _listen is { IPEndPoint: { } endpoint } ? new Uri($"http://{endpoint}") : null;

    public void Configure(ListenOptions listen)
    {
        _listen = listen;
        listen.Use(next => connection =>
        {
            connection.Features.Set(AdminConnectionFeature.Instance);
            return next(connection);
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                var address = Address?.ToString() ?? $"http://{options.Value.Host}:{options.Value.Port}/";
                if (token.IsRequired)
                {
                    LogListening(logger, address);
                }
                else
                {
                    LogListeningWithoutToken(logger, address);
                }
            });
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = ServeEvents.AdminListening, Level = LogLevel.Information, Message = "Serve admin API on {Address}: every call needs the bearer token (Serve:Admin:Token)")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(EventId = ServeEvents.AdminListening, Level = LogLevel.Warning, Message = "Serve admin API on {Address} with no token: it listens on loopback only, and any local process can deploy and delete applications. Set Serve:Admin:Token to require a bearer token.")]
    private static partial void LogListeningWithoutToken(ILogger logger, string address);
}
