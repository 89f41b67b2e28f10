using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serve.Applications;

namespace Serve.Http;

/// <summary>
/// Checks, when an <see cref="IHttpEndpoints"/> replica starts, what its endpoints take from dependency injection against
/// what they can have. The endpoints run on a host of their own, whose services are those <c>ConfigureServices</c>
/// registers (and Serve's few): the silo's (an <c>IServeServiceSetup</c>'s, the program's <c>builder.Services</c>) are the
/// deployment constructor's. A handler parameter of a silo service type was otherwise bound from the request body, a
/// new object deserialized from the client's JSON instead of the shared service (or, with <c>[FromServices]</c>, failed
/// every request with "No service registered"); silo-configured options arrived as defaults; and a form endpoint
/// (<c>IFormFile</c>) failed every request telling to call <c>app.UseAntiforgery()</c>, which an ingress cannot.
/// The replica fails to start instead, naming each endpoint, parameter and the fix.
/// </summary>
internal static class IngressEndpointServices
{
    /// <summary>The error naming every such parameter and form endpoint of <paramref name="endpoints"/>; null when there is none.</summary>
    public static string? Check(Type ingress, IEndpointRouteBuilder endpoints, IServiceProvider silo)
    {
        var own = endpoints.ServiceProvider.GetRequiredService<IServiceProviderIsService>();
        var siloServices = silo.GetService<IServiceProviderIsService>();
        var antiforgery = endpoints.ServiceProvider.GetService<IAntiforgery>() is not null;
        var problems = new List<string>();
        foreach (var endpoint in endpoints.DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>())
        {
            var name = endpoint.DisplayName ?? endpoint.RoutePattern.RawText ?? "?";
            if (!antiforgery && endpoint.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: true })
            {
                problems.Add($"endpoint {name} takes a form, which ASP.NET Core checks for an antiforgery token, and the ingress has no antiforgery. "
                    + "Fix: call .DisableAntiforgery() on it (a form posted by curl or another service carries no token), or services.AddAntiforgery() in "
                    + $"{ingress.Name}.ConfigureServices to check tokens (Serve then runs the antiforgery middleware).");
            }
            if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } method)
            {
                continue;
            }
            foreach (var parameter in method.GetParameters())
            {
                if (Problem(parameter, endpoints.ServiceProvider, own, siloServices, silo) is { } problem)
                {
                    problems.Add($"endpoint {name}, parameter '{parameter.Name}' ({ConstructorBinding.Name(parameter.ParameterType)}): {problem}");
                }
            }
        }
        return problems.Count == 0
            ? null
            : $"{ingress.Name}'s endpoints cannot run as written:{string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"))}";
    }

    private static string? Problem(ParameterInfo parameter, IServiceProvider endpointServices, IServiceProviderIsService own, IServiceProviderIsService? siloServices, IServiceProvider silo)
    {
        var type = parameter.ParameterType;
        var attributes = parameter.GetCustomAttributes(inherit: true);
        var fromServices = attributes.Any(a => a is IFromServiceMetadata);
        var bound = attributes.Any(a => a is IFromBodyMetadata or IFromQueryMetadata or IFromRouteMetadata or IFromHeaderMetadata or IFromFormMetadata or AsParametersAttribute);
        if (bound || Nullable.GetUnderlyingType(type) is not null || type.IsPrimitive || type == typeof(string))
        {
            return null;
        }
        var fix = $"Fix: take {ConstructorBinding.Name(type)} in the deployment's constructor, where the silo's services arrive, and use that field in the endpoint "
            + "(the endpoints' own services are those its ConfigureServices registers).";
        if (!own.IsService(type) && siloServices?.IsService(type) == true)
        {
            return fromServices
                ? $"[FromServices] asks the endpoints' services for it, and only the silo registered it, so every request would fail. {fix}"
                : $"only the silo registered it, so the endpoint would read it from the request body as JSON, a new {type.Name} instead of the service. {fix}";
        }
        if (type == typeof(IConfiguration)
            && endpointServices.GetService(type) is IConfiguration configuration
            && silo.GetService(type) is IConfiguration settings
            && settings.AsEnumerable().Any(setting => setting.Value is not null && configuration[setting.Key] is null))
        {
            return $"the endpoints' configuration is not the silo's (the host's settings, appsettings.json and environment, are not in it), so the endpoint would read null. {fix}";
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IOptions<>) || definition == typeof(IOptionsSnapshot<>) || definition == typeof(IOptionsMonitor<>))
            && type.GetGenericArguments()[0] is var options
            && Configured(silo, options) && !Configured(endpointServices, options))
        {
            return $"the silo configures {options.Name} and the endpoints' services do not, so the endpoint would get its defaults. {fix}";
        }
        return null;
    }

    private static bool Configured(IServiceProvider services, Type options) =>
        services.GetService(typeof(IEnumerable<>).MakeGenericType(typeof(IConfigureOptions<>).MakeGenericType(options))) is System.Collections.IEnumerable e
        && e.Cast<object>().Any();
}
