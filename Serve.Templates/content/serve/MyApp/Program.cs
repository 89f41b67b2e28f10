using MyApp;
using Serve;

// dotnet run: Serve in this process (an embedded one-silo cluster, HTTP on 127.0.0.1:8000, admin API on
// 127.0.0.1:8265) running this application. The same build runs under `serve run serve.yaml --assembly ...`,
// and joins a cluster with Serve__Cluster__Mode=Redis (see the Serve README).
var app = ServeHost.CreateBuilder(args).Build();
app.MapServe();
await app.StartAsync();

var serve = app.Services.GetRequiredService<IServeClient>();
await serve.RunAsync(Api.App(), "MyApp", "/");
Console.WriteLine($"MyApp is RUNNING: {string.Join(", ", app.Urls)}. Press Ctrl+C to stop.");
await app.WaitForShutdownAsync();
