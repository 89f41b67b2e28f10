using System.Runtime.CompilerServices;

// IServeServiceSetup moved to Serve.Abstractions, so that a model library registering its services needs no runtime.
// A library built against an earlier Serve.Silo names the type in this assembly: the forward sends it to the new home.
[assembly: TypeForwardedTo(typeof(Serve.Hosting.IServeServiceSetup))]
