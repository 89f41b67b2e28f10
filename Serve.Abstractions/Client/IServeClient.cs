namespace Serve;

/// <summary>
/// Runs and inspects applications, like Ray's <c>serve.run</c>, <c>serve.delete</c>,
/// <c>serve.status</c>, <c>serve.shutdown</c> and <c>serve.get_app_handle</c>. The same service works
/// inside a silo (<c>AddServe</c>) and in any .NET process with an Orleans client (<c>AddServeClient</c>).
/// </summary>
public interface IServeClient
{
    /// <summary>
    /// Checks and deploys the application whose ingress is <paramref name="app"/>, waits until it is
    /// RUNNING and every live gateway serves its route, and returns a handle to the ingress: a request sent
    /// through any gateway once it returns reaches the application. Running an application that exists updates it.
    /// </summary>
    /// <param name="app">The ingress deployment, bound with its children.</param>
    /// <param name="name">The application's name. Default is <c>default</c>.</param>
    /// <param name="routePrefix">Its HTTP route prefix, or null for none. Default is <c>/</c>.</param>
    /// <param name="cancellationToken">Stops waiting (the deployment goes on).</param>
    /// <exception cref="InvalidApplicationException">The graph does not fit the classes; nothing was deployed.</exception>
    /// <exception cref="DeployFailedException">A deployment could not start.</exception>
    /// <exception cref="StateStoreUnavailableException">The control plane could not store the application (Redis did not answer); nothing was applied.</exception>
    Task<DeploymentHandle> RunAsync(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default);

    /// <summary>As <see cref="RunAsync(BoundDeployment, string, string?, CancellationToken)"/>, with every run option.</summary>
    Task<DeploymentHandle> RunAsync(BoundDeployment app, RunOptions options, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="RunAsync(BoundDeployment, string, string?, CancellationToken)"/>, returning a typed handle to the ingress.</summary>
    /// <typeparam name="T">An interface the ingress class implements.</typeparam>
    Task<DeploymentHandle<T>> RunAsync<T>(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) where T : class;

    /// <summary>Deletes an application: its replicas finish in-flight work and stop. Returns when they have.</summary>
    /// <exception cref="ApplicationNotFoundException">No such application.</exception>
    Task DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The state of every application, deployment and replica.</summary>
    Task<ServeStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes every application.</summary>
    Task ShutdownAsync(CancellationToken cancellationToken = default);

    /// <summary>A handle to an application's ingress deployment.</summary>
    /// <exception cref="ApplicationNotFoundException">No such application.</exception>
    Task<DeploymentHandle<T>> GetAppHandleAsync<T>(string name = "default", CancellationToken cancellationToken = default) where T : class;

    /// <summary>A by-name handle to any deployment. Calls fail with <see cref="DeploymentNotFoundException"/> while it does not exist.</summary>
    DeploymentHandle GetDeploymentHandle(string deployment, string application = "default");

    /// <summary>A typed handle to any deployment.</summary>
    DeploymentHandle<T> GetDeploymentHandle<T>(string deployment, string application = "default") where T : class;
}
