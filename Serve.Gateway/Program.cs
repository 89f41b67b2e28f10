using Serve;

// A gateway silo: the HTTP front door of a Serve cluster (embedded one-silo cluster by default).
var builder = ServeHost.CreateBuilder(args);
var app = builder.Build();
app.MapServe();
await app.RunAsync();
