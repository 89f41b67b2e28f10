using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Hosting;

/// <summary>
/// Registers the services your deployments' constructors take (a model store, an <c>HttpClient</c>, your options) in a
/// silo whose host you do not write: the worker (<c>dotnet Serve.Silo.dll</c>), the gateway and <c>serve run</c>. A
/// public class with a public parameterless constructor in an assembly listed under <c>Serve:Assemblies</c> is made once
/// as the host is built and handed its services and configuration, after Serve's own registrations:
/// <code>
/// public sealed class ModelStoreServices : IServeServiceSetup
/// {
///     public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
///         services.AddSingleton&lt;IModelStore, BlobModelStore&gt;();
/// }
/// </code>
/// Every process that hosts replicas of those assemblies runs it, so a replica finds the same services wherever it is
/// placed. A host you write (<c>ServeHost.CreateBuilder</c>) runs these too; it may also register services itself.
/// It lives in <c>Serve.Abstractions</c>, so a model library needs no reference to the runtime (<c>Serve.Silo</c>) to
/// register its services; <c>Serve.Silo</c> forwards the type here for libraries built against its earlier home.
/// </summary>
public interface IServeServiceSetup
{
    /// <summary>Adds to this silo's services.</summary>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}
