using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve;
using Serve.Samples;

// dotnet run --project Serve.Samples -- [example]   (no example: all of them, each under its own route prefix)
var selected = args.Length == 0 ? SampleCatalog.All : SampleCatalog.All.Where(s => s.Name == args[0]).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"Unknown example '{args[0]}'. Examples: {string.Join(", ", SampleCatalog.All.Select(s => s.Name))}.");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.AddFilter("Polly", LogLevel.Warning);
builder.UseOrleans(silo => silo.UseLocalhostClustering().AddServe());
using var host = builder.Build();
await host.StartAsync();

var serve = host.Services.GetRequiredService<IServeClient>();
foreach (var sample in selected)
{
    var routePrefix = selected.Count == 1 ? "/" : sample.SharedRoutePrefix;
    var handle = await serve.RunAsync(sample.Build(), sample.Name, routePrefix);
    if (sample.PrintsHandleResult)
    {
        Console.WriteLine(await handle.CallAsync<string>());
    }
}
Console.WriteLine($"Serving {string.Join(", ", selected.Select(s => s.Name))}. Press Ctrl+C to stop.");
await host.WaitForShutdownAsync();
return 0;
