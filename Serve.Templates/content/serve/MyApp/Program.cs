using Microsoft.Extensions.Options;
using MyApp;
using Serve;
using Serve.Hosting;

// dotnet run: Serve in this process (an embedded one-silo cluster, HTTP on 127.0.0.1:8000, admin API on
// 127.0.0.1:8265) running this application. The same build runs under `serve run serve.yaml --assembly ...`,
// and joins a cluster with Serve__Cluster__Mode=Redis (see the Serve README).
var app = ServeHost.CreateBuilder(args).Build();
app.MapServe();
await app.StartAsync();

var serve = app.Services.GetRequiredService<IServeClient>();
try
{
    // Ctrl+C while the application starts stops the program too: the wait for RUNNING ends as the host stops.
    await serve.RunAsync(Api.App(), "MyApp", "/", app.Lifetime.ApplicationStopping);
}
catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
{
    await app.StopAsync();
    return;
}

// Which address is which: the HTTP gateway serves the application's routes; the admin API's port (Serve:Admin:Port)
// is what the serve CLI talks to (serve status, serve deploy), and serves the dashboard.
var admin = app.Services.GetRequiredService<IOptions<ServeAdminOptions>>().Value;
Console.WriteLine("MyApp is RUNNING.");
foreach (var url in app.Urls.Select(u => new Uri(u)))
{
    Console.WriteLine(url.Port == admin.Port
        ? $"  admin API: {url}  (serve status --address {url}){(admin.Dashboard ? $"; dashboard: {url}dashboard" : "")}"
        : $"  HTTP:      {url}  (try: curl -X POST {url}count -H 'content-type: application/json' -d '{{\"text\": \"the quick brown fox\"}}')");
}
Console.WriteLine("Press Ctrl+C to stop.");
await app.WaitForShutdownAsync();
