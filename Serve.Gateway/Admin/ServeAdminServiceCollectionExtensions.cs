using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve.Admin;
using Serve.Dashboard;
using Serve.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Serve admin REST API to a gateway.</summary>
public static class ServeAdminServiceCollectionExtensions
{
    /// <summary>
    /// Registers the admin API (<c>/api/serve/applications</c>, what the <c>serve</c> CLI calls) on a Kestrel listener of
    /// its own, 127.0.0.1:8265 by default, with options bound from <c>Serve:Admin</c> and validated at start, and its
    /// OpenAPI document at <c>/api/serve/openapi/serve-admin.json</c>, and the web dashboard at <c>/dashboard</c>. <c>app.MapServe()</c> maps it.
    /// <c>ServeHost.CreateBuilder</c> calls this.
    /// </summary>
    public static IServiceCollection AddServeAdmin(this IServiceCollection services, Action<ServeAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ServeAdminOptions>().BindConfiguration(ServeAdminOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        if (services.Any(d => d.ServiceType == typeof(AdminListener)))
        {
            return services;
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServeAdminOptions>, ServeAdminOptionsValidator>());
        services.AddOptions<ServeGatewayOptions>();
        services.TryAddSingleton<AdminToken>();
        services.TryAddSingleton<AdminStatusCache>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuthFailureLimiter>();
        services.TryAddSingleton(sp => new AdminRequestPolicy(sp.GetRequiredService<IOptions<ServeAdminOptions>>().Value, Dns.GetHostName()));
        services.TryAddSingleton<AdminGuard>();
        services.TryAddSingleton<AdminClusterUnavailable>();
        services.TryAddSingleton<DashboardSessions>();
        services.TryAddSingleton<DashboardGuard>();
        services.TryAddSingleton<TrafficRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<TrafficRecorder>());
        services.AddSingleton<AdminListener>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminListener>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, AdminPortMatcherPolicy>());
        services.AddOpenApi(ServeAdminEndpoints.DocumentName, openApi =>
        {
            openApi.ShouldInclude = description => description.GroupName == ServeAdminEndpoints.DocumentName;
            openApi.AddDocumentTransformer<AdminOpenApiTransformer>();
        });
        services.AddSingleton<IHostedService>(sp => new ListenPortCheck(() =>
        {
            var admin = sp.GetRequiredService<IOptions<ServeAdminOptions>>().Value;
            return admin.Enabled ? [(admin.Host, admin.Port, $"{ServeAdminOptions.SectionName}:Port")] : [];
        }));
        services.TryAddSingleton(_ => OpenFileLimit.OfThisProcess());
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServeAdminOptions>, IOptions<ServeGatewayOptions>, AdminListener, ILoggerFactory, OpenFileLimit>((kestrel, admin, gateway, listener, loggers, files) =>
        {
            var value = admin.Value;
            if (value.Enabled)
            {
                // Bounded as each of the gateway's ports is, on its own: a flood of the HTTP port leaves the admin API room.
                // Its share of the open-file limit, as each of theirs (ConnectionBoundFit): the gateway's start says so when it is lower.
                var limit = ConnectionBoundFit.Limit("the admin API's port", gateway.Value, files.Value, TimeProvider.System, loggers.CreateLogger(typeof(HttpConnectionLimit)),
                    value.MaxConnectionsPerAddress > 0 ? value.MaxConnectionsPerAddress : null, $"{ServeAdminOptions.SectionName}:MaxConnectionsPerAddress");
                kestrel.Listen(IPAddress.TryParse(value.Host, out var address) ? address : IPAddress.Loopback, value.Port, listen =>
                {
                    if (limit is not null)
                    {
                        listen.Use(next => connection => limit.OnConnectionAsync(connection, next));
                    }
                    listener.Configure(listen);
                });
            }
        });
        return services;
    }
}
