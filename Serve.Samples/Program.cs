using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serve;
using Serve.Samples;

// dotnet run --project Serve.Samples -- [example]
// One example: it serves at http://127.0.0.1:8000/. No example: all of them, each under its own route prefix.
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

var serve = app.Services.GetRequiredService<IServeClient>();
foreach (var sample in selected)
{
    var routePrefix = selected.Count == 1 ? "/" : sample.SharedRoutePrefix;
    var handle = await serve.RunAsync(sample.Build(), sample.Name, routePrefix);
    if (sample.PrintsHandleResult)
    {
        Console.WriteLine(await handle.Method("CallAsync").CallAsync<string>());
    }
    Console.WriteLine(sample.Name == "grpc"
        ? $"{sample.Name}: gRPC service greet.Greeter on http://127.0.0.1:{builder.Configuration["Serve:Http:Http2Port"]} (h2c)"
        : $"{sample.Name}: http://127.0.0.1:8000{(routePrefix == "/" ? "/" : routePrefix)}");
}
Console.WriteLine("Serving. Press Ctrl+C to stop.");
await app.WaitForShutdownAsync();
return 0;
