using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Serve.Configuration;
using Serve.Grains;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// The admin REST API, Ray's <c>/api/serve/applications</c>: read the status of applications, deployments and
/// replicas; apply a config declaratively; delete. Every endpoint is on the admin port only and needs the bearer token.
/// </summary>
internal static class ServeAdminEndpoints
{
    public const string DocumentName = "serve-admin";
    public const string Prefix = "/api/serve";
    private const string Tag = "Applications";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var guard = endpoints.ServiceProvider.GetRequiredService<AdminGuard>();
        var unavailable = endpoints.ServiceProvider.GetRequiredService<AdminClusterUnavailable>();
        var api = endpoints.MapGroup(Prefix)
            .WithGroupName(DocumentName)
            .WithMetadata(AdminEndpointMetadata.Instance)
            .WithTags(Tag)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        // Checked around every endpoint of the group, the OpenAPI document included, so none can be added without it;
        // inside the guard, a call the cluster rejects becomes a 503 naming why.
        ((IEndpointConventionBuilder)api).Finally(endpoint => endpoint.RequestDelegate = guard.Wrap(unavailable.Wrap(endpoint.RequestDelegate!)));

        api.MapGet("/applications", GetAllAsync)
            .WithName("GetApplications")
            .WithSummary("The status of every application, deployment and replica, with each application's deployed config.")
            .Produces<ServeDetails>();
        api.MapPut("/applications", PutAsync)
            .WithName("PutApplications")
            .WithSummary("Applies a config file (YAML or JSON) declaratively and atomically: listed applications are deployed or updated, every other one deployed from a config is deleted; those run from code are left running (`kept`).")
            .WithDescription("The body is a config file with http_options and applications, as `serve deploy` sends it. Applications run from code (RunAsync) belong to no config: one the config does not name is left running and listed in `kept` (delete it with DELETE /api/serve/applications/{name}); one it names is taken over by the config. Every problem is reported at once (400, `errors`, each starting with its path) and then nothing is applied. Applying the same config twice changes nothing; changes to replica counts, autoscaling, user_config, max_ongoing_requests and health options keep the running replicas.")
            .AddOpenApiOperationTransformer(DescribeConfigBody)
            .Produces<ApplyConfigResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapDelete("/applications", DeleteAllAsync)
            .WithName("DeleteApplications")
            .WithSummary("Deletes every application (serve shutdown); their replicas drain in the background.")
            .Produces<DeletingResponse>(StatusCodes.Status202Accepted);
        api.MapGet("/applications/{name}", GetApplicationAsync)
            .WithName("GetApplication")
            .WithSummary("One application's status, deployments, replicas and deployed config.")
            .Produces<ApplicationDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/applications/{name}", DeleteApplicationAsync)
            .WithName("DeleteApplication")
            .WithSummary("Deletes one application (serve delete); its replicas drain in the background.")
            .Produces<DeletingResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/applications/{name}/deployments/{deployment}", GetDeploymentAsync)
            .WithName("GetDeployment")
            .WithSummary("One deployment's status, options and replicas.")
            .Produces<DeploymentDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/applications/{name}/deployments/{deployment}/replicas/{**replica}", GetReplicaAsync)
            .WithName("GetReplica")
            .WithSummary("One replica's state and silo; the replica is named by its full id or by the part after 'application/deployment/'.")
            .Produces<ReplicaDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/routes", GetRoutesAsync)
            .WithName("GetRoutes")
            .WithSummary("The route table's version, the version each live gateway serves, and the gateways not serving it yet (serve deploy --wait waits until none is behind).")
            .Produces<RoutesDetails>();
        api.MapOpenApi("/openapi/{documentName}.json");
        // OPTIONS on any admin path: a CORS preflight from an allowed origin is answered by the guard; anyone else learns the methods.
        api.MapMethods("/{**path}", [HttpMethods.Options], (HttpResponse response) =>
        {
            response.Headers.Allow = "GET, PUT, DELETE, OPTIONS";
            return Results.NoContent();
        }).ExcludeFromDescription();
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<ServeAdminOptions>>().Value.Dashboard)
        {
            Dashboard.DashboardEndpoints.Map(endpoints);
        }
    }

    /// <summary>
    /// The request body in the OpenAPI document. Not <c>Accepts</c> metadata: that would make routing refuse a config
    /// sent with another content type, and any text that parses as YAML or JSON is taken.
    /// </summary>
    private static Task DescribeConfigBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "A config file: http_options and applications[] (name, route_prefix, import_path, args, deployments[] overrides by name), as YAML or JSON.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/yaml"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>The cached body as it is: at ten thousand replicas serializing it again per call was most of the call.</summary>
    private static async Task<IResult> GetAllAsync(AdminStatusCache status, CancellationToken cancellationToken) =>
        Results.Bytes((await status.GetAsync(cancellationToken)).Json, "application/json; charset=utf-8");

    private static async Task<IResult> GetRoutesAsync(IGrainFactory grains)
    {
        var spread = await grains.GetGrain<IControllerGrain>(IControllerGrain.Key).GetRouteSpreadAsync();
        return Results.Json(new RoutesDetails { Version = spread.Version, Gateways = spread.Gateways, Behind = spread.Behind.ToArray() }, AdminJson.Options);
    }

    /// <summary>One application, asked of the controller alone: at a thousand applications the others are not shipped or rebuilt.</summary>
    private static async Task<IResult> GetApplicationAsync(string name, AdminStatusCache status, CancellationToken cancellationToken) =>
        await status.GetApplicationAsync(name, cancellationToken) is { } app
            ? Results.Json(app, AdminJson.Options)
            : await NoApplicationAsync(name, status, cancellationToken);

    private static async Task<IResult> GetDeploymentAsync(string name, string deployment, AdminStatusCache status, CancellationToken cancellationToken)
    {
        if (await status.GetApplicationAsync(name, cancellationToken) is not { } app)
        {
            return await NoApplicationAsync(name, status, cancellationToken);
        }
        return app.Deployments.TryGetValue(deployment, out var details)
            ? Results.Json(details, AdminJson.Options)
            : NotFound($"Application '{name}' has no deployment '{deployment}'.", app.Deployments.Keys);
    }

    private static async Task<IResult> GetReplicaAsync(string name, string deployment, string replica, AdminStatusCache status, CancellationToken cancellationToken)
    {
        if (await status.GetApplicationAsync(name, cancellationToken) is not { } app || !app.Deployments.TryGetValue(deployment, out var details))
        {
            return NotFound($"No deployment '{deployment}' in an application '{name}'.", []);
        }
        var fullId = $"{name}/{deployment}/{replica}";
        var found = details.Replicas.FirstOrDefault(r => r.ReplicaId == replica || r.ReplicaId == fullId);
        return found is not null
            ? Results.Json(found, AdminJson.Options)
            : NotFound($"Deployment '{deployment}' of '{name}' has no replica '{replica}'.", details.Replicas.Select(r => r.ReplicaId));
    }

    private static async Task<IResult> PutAsync(HttpRequest request, IGrainFactory grains, IOptions<ServeGatewayOptions> gateway, IOptions<ServeAdminOptions> admin, AdminGuard guard, CancellationToken cancellationToken)
    {
        if (request.ContentLength > admin.Value.MaxRequestBodySize)
        {
            return guard.TooLarge();
        }
        string text;
        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body, or one whose Content-Length lied, past the limit the guard set.
            return guard.TooLarge();
        }
        try
        {
            var config = ResolvedConfig.Load(text);
            var result = await grains.GetGrain<IControllerGrain>(IControllerGrain.Key).ApplyConfigAsync(config.Applications).WaitAsync(cancellationToken);
            return Results.Json(new ApplyConfigResponse
            {
                Created = result.Created,
                Updated = result.Updated,
                Unchanged = result.Unchanged,
                Retried = result.Retried,
                Deleted = result.Deleted,
                Kept = result.Kept,
                RouteVersion = result.RouteVersion == 0 ? null : result.RouteVersion,
                Warnings = [.. Warnings(config.Config.HttpOptions, gateway.Value), .. ApplicationWarnings(config.Applications)],
            }, AdminJson.Options);
        }
        catch (InvalidConfigException e)
        {
            return Results.Problem(
                title: "The config is invalid; nothing was applied.",
                detail: $"{e.Errors.Count} problem(s); each error starts with the path of the value at fault.",
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = e.Errors });
        }
    }

    private static async Task<IResult> DeleteAllAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var controller = grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        var names = (await controller.GetApplicationsAsync().WaitAsync(cancellationToken)).Select(a => a.Name).ToArray();
        await controller.ShutdownAsync().WaitAsync(cancellationToken);
        return Results.Json(new DeletingResponse(names), AdminJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> DeleteApplicationAsync(string name, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var controller = grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        try
        {
            await controller.DeleteApplicationAsync(name).WaitAsync(cancellationToken);
        }
        catch (ApplicationNotFoundException)
        {
            var known = (await controller.GetApplicationsAsync().WaitAsync(cancellationToken)).Select(a => a.Name);
            return NotFound($"No application '{name}'.", known);
        }
        return Results.Json(new DeletingResponse([name]), AdminJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The parts of <c>http_options</c> a running gateway cannot take: they apply when a gateway starts from the file.</summary>
    private static List<string> Warnings(HttpOptionsConfig? http, ServeGatewayOptions gateway)
    {
        var warnings = new List<string>();
        if (http?.Host is { } host && host != gateway.Host)
        {
            warnings.Add($"http_options.host: '{host}' differs from this gateway's '{gateway.Host}' and was not applied: the address is set when a gateway starts (serve run, or Serve:Http:Host).");
        }
        if (http?.Port is { } port && port != gateway.Port)
        {
            warnings.Add($"http_options.port: {port} differs from this gateway's {gateway.Port} and was not applied: the port is set when a gateway starts (serve run, or Serve:Http:Port).");
        }
        return warnings;
    }

    /// <summary>
    /// What building the config's applications pointed out (settings that defeat batching, say). The controller logs them
    /// on its own silo, which on a cluster may be any worker: the one who ran <c>serve deploy</c> sees them here.
    /// </summary>
    private static IEnumerable<string> ApplicationWarnings(IReadOnlyList<ApplicationSpec> applications) =>
        applications.SelectMany(application => application.Warnings.Select(warning => $"application '{application.Name}': {warning}"));

    /// <summary>The 404 for an unknown application, naming the ones there are (the whole status: an error's path).</summary>
    private static async Task<IResult> NoApplicationAsync(string name, AdminStatusCache status, CancellationToken cancellationToken) =>
        NotFound($"No application '{name}'.", (await status.GetAsync(cancellationToken)).Applications.Keys);

    private static IResult NotFound(string message, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToArray();
        return Results.Problem(
            title: message,
            detail: names.Length == 0 ? "There are none." : $"Known: {string.Join(", ", names)}.",
            statusCode: StatusCodes.Status404NotFound);
    }
}
