using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Serve.Admin;

/// <summary>Describes the admin API as a whole in its OpenAPI document: what it is, and the bearer token it needs.</summary>
internal sealed class AdminOpenApiTransformer : IOpenApiDocumentTransformer
{
    private const string SchemeName = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Serve admin API",
            Version = "1",
            Description = "Deploy, inspect and delete Serve applications: Ray Serve's /api/serve/applications. "
                + "The gateway serves it on its own port (Serve:Admin:Port, 8265 by default). Every call needs the bearer token "
                + "configured as Serve:Admin:Token; without one configured the API listens on loopback only. Requests naming another host, "
                + "or sent by another site's web page (Origin, Sec-Fetch-Site), get 403 unless Serve:Admin:AllowedHosts or AllowedOrigins list them.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The value of Serve:Admin:Token.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
