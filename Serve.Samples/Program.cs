using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve;
using Serve.Hosting;
using Serve.Samples;

// dotnet run --project Serve.Samples -- [example]
// One example: it serves at http://127.0.0.1:8000/ (Serve__Http__Port=... for another port). No example: all of them, each under its own route prefix.
var selected = args.Length == 0 || args[0].StartsWith('-') ? SampleCatalog.All : SampleCatalog.All.Where(s => s.Name == args[0]).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"Unknown example '{args[0]}'. Examples: {string.Join(", ", SampleCatalog.All.Select(s => s.Name))}.");
    return 2;
}

var builder = ServeHost.CreateBuilder(args);
// gRPC clients speak HTTP/2 with prior knowledge (h2c): they get Ray's gRPC port, 9000, next to HTTP/1.1 on 8000.
builder.Configuration["Serve:Http:Http2Port"] ??= "9000";
var app = builder.Build();
app.MapServe();
await app.StartAsync();

// Where the HTTP port listens as configured (Serve__Http__Port=...), not as the defaults say: the printed lines must work.
var http = app.Services.GetRequiredService<IOptions<ServeGatewayOptions>>().Value;
var httpAddress = http.Port == 0 ? app.Urls.First() : $"http://{http.Host}:{http.Port}";
var serve = app.Services.GetRequiredService<IServeClient>();
foreach (var sample in selected)
{
    var routePrefix = selected.Count == 1 ? "/" : sample.SharedRoutePrefix;
    DeploymentHandle handle;
    try
    {
        // Ctrl+C (or SIGTERM) while an example starts stops the program too: its wait for RUNNING ends as the host stops.
        handle = await serve.RunAsync(sample.Build(), sample.Name, routePrefix, app.Lifetime.ApplicationStopping);
    }
    catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
    {
        await app.StopAsync();
        return 0;
    }
    if (sample.PrintsHandleResult)
    {
        Console.WriteLine(await handle.Method("CallAsync").CallAsync<string>());
    }
    Console.WriteLine(sample.Name == "grpc"
        ? $"{sample.Name}: gRPC service greet.Greeter on http://{http.Host}:{http.Http2Port} (h2c)"
        : $"{sample.Name}: {httpAddress}{routePrefix}");
}
Console.WriteLine("Serving. Press Ctrl+C to stop.");
await app.WaitForShutdownAsync();
return 0;
