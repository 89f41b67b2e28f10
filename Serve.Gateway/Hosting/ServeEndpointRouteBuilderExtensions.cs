using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serve.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serve.Forwarding;
using Serve.Grpc;
using Serve.Health;
using Serve.Hosting;
using Serve.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Serve gateway into an ASP.NET Core app.</summary>
public static class ServeEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/-/healthz</c> (<c>success</c> once the gateway has a route table, 503 before),
    /// <c>/-/routes</c> (prefix → application, as JSON), the health probes <c>/-/livez</c> and <c>/-/readyz</c>
    /// (ASP.NET Core health checks: silo active, route table loaded, applications' states), and every other path to the applications'
    /// ingress deployments by longest route prefix; gRPC calls (HTTP/2, <c>application/grpc</c>) go to the application their
    /// <c>application</c> metadata names or whose ingress declares their service (<see cref="Serve.GrpcServiceAttribute"/>). Needs <c>services.AddServeGateway()</c>. With
    /// <c>services.AddServeAdmin()</c>, also the admin API (<c>/api/serve/...</c>) on its own port.
    /// </summary>
    public static IEndpointConventionBuilder MapServe(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var routes = endpoints.ServiceProvider.GetRequiredService<RouteTableWatcher>();
        var forwarder = endpoints.ServiceProvider.GetRequiredService<HttpForwarder>();
        endpoints.MapGet("/-/healthz", () => routes.HasTable
            ? Results.Text("success")
            : Results.Text("the gateway has no route table from the controller yet", statusCode: StatusCodes.Status503ServiceUnavailable));
        var health = endpoints.ServiceProvider.GetRequiredService<HealthCheckService>();
        endpoints.MapGet(TelemetryListener.LivenessPath, (HttpContext context) => ServeHealth.WriteAsync(context, health, ServeHealth.Live));
        endpoints.MapGet(TelemetryListener.ReadinessPath, (HttpContext context) => ServeHealth.WriteAsync(context, health, ServeHealth.Ready));
        endpoints.MapGet("/-/routes", () => Results.Json(
            routes.Current.Routes.OrderBy(r => r.Prefix, StringComparer.Ordinal).ToDictionary(r => r.Prefix, r => r.Application),
            JsonSerializerOptions.Web));
        if (endpoints.ServiceProvider.GetService<AdminListener>() is not null
            && endpoints.ServiceProvider.GetRequiredService<IOptions<ServeAdminOptions>>().Value.Enabled)
        {
            ServeAdminEndpoints.Map(endpoints);
        }
        var grpc = endpoints.ServiceProvider.GetRequiredService<GrpcForwarder>();
        // gRPC calls go by service name or the application metadata; every other request by route prefix.
        return endpoints.MapFallback("{**path}", context => GrpcForwarder.IsGrpc(context.Request) ? grpc.ForwardAsync(context) : forwarder.ForwardAsync(context));
    }
}
