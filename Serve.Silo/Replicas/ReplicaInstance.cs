using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serve.Applications;
using Serve.Batching;
using Serve.Grains;
using Serve.Hosting;
using Serve.Multiplexing;

namespace Serve.Replicas;

/// <summary>
/// One instance of the user's deployment class, built by the rule of <see cref="ConstructorBinding"/>, with the
/// batch queues of its <see cref="BatchAttribute"/> methods and the model cache of its <see cref="MultiplexedAttribute"/> loader.
/// </summary>
internal sealed class ReplicaInstance : IAsyncDisposable
{
    private readonly MethodTable _methods;
    private readonly InstanceBatches _batches;
    private string? _userConfig;

    private ReplicaInstance(object target, MethodTable methods, InstanceBatches batches, ModelCache? models)
    {
        Target = target;
        _methods = methods;
        _batches = batches;
        Models = models;
    }

    public object Target { get; }

    /// <summary>The models this replica holds; null when its class has no [Multiplexed] loader.</summary>
    public ModelCache? Models { get; }

    public static async Task<ReplicaInstance> CreateAsync(
        DeploymentSpec spec, IServiceProvider services, IHandleRuntime handles, TimeProvider time, ReplicaMetrics.Observer observer, CancellationToken cancellationToken,
        TaskCompletionSource? initialized = null)
    {
        // Counted from here, so a slow constructor spends the same budget; the user's hooks are given its token.
        using var initialization = new CancellationTokenSource(spec.Options.InitializationTimeout, time);
        using var initializing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, initialization.Token);
        var admission = services.GetRequiredService<DeploymentTypeAdmission>();
        var type = admission.AdmitDeployment(spec.TypeName, out var refused)
            ?? throw new ServeException($"Deployment '{spec.Id}': {refused}");
        var shapes = spec.Arguments.Select(a => a.IsDeployment
            ? new ConstructorBinding.ArgumentShape(null, BoundDeploymentType(a, spec, admission), a.Deployment)
            : new ConstructorBinding.ArgumentShape(a.TypeName is null ? null : BoundValueType(a.TypeName, spec, admission), null, null)).ToArray();
        // A graph made from another build of the class (new code on the workers, the old on the gateway that applied it)
        // binds what that build's constructor took: the fix is to deploy again from the new build, not to change the code.
        var constructor = ConstructorBinding.Select(type, shapes, out var error)
            ?? throw new ServeException(DeploymentBuild.Mismatch(spec, type, ThisProcess.Description) is { } otherBuild
                ? $"Deployment '{spec.Id}': {error} But {otherBuild}"
                : $"Deployment '{spec.Id}': {error}");
        // Every [Batch] signature and the model loader are checked before the user's constructor runs.
        MethodTable methods;
        ModelLoader? loader;
        try
        {
            methods = MethodTable.For(type);
            loader = ModelLoader.Find(type);
        }
        catch (InvalidOperationException e)
        {
            throw new ServeException($"Deployment '{spec.Id}': {e.Message}");
        }

        var parameters = constructor.GetParameters();
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            values[i] = i < spec.Arguments.Count
                ? BoundValue(spec, spec.Arguments[i], parameters[i], handles)
                : ServiceValue(spec, type, parameters[i], services);
        }

        object target;
        try
        {
            target = constructor.Invoke(values);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        var instance = new ReplicaInstance(
            target,
            methods,
            InstanceBatches.Attach(target, time, observer, spec.Options.Batching),
            loader is null ? null : InstanceModels.Attach(target, loader, time, observer));
        try
        {
            try
            {
                // Waited for only until the token fires: code that ignores its token does not hold the replica's start (and
                // its room on the silo) for good; it is left to finish alone, its instance disposed.
                if (target is IAsyncInitializable initializable)
                {
                    await initializable.InitializeAsync(initializing.Token).WaitAsync(initializing.Token);
                }
                await instance.ReconfigureAsync(spec, initializing.Token).WaitAsync(initializing.Token);
                // Past the user's constructor and InitializeAsync: what remains (the first health check) has its own timeout.
                initialized?.TrySetResult();
            }
            catch (OperationCanceledException) when (initialization.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ServeException(InitializationTimedOut(spec));
            }
            await FirstHealthCheckAsync(spec, target, time, cancellationToken);
        }
        catch (Exception failure)
        {
            await instance.DisposeAfterFailedStartAsync(failure);
            throw;
        }
        return instance;
    }

    /// <summary>What a start that ran out of <see cref="DeploymentOptions.InitializationTimeout"/> says: the deployment, the option, the time.</summary>
    internal static string InitializationTimedOut(DeploymentSpec spec) =>
        $"Deployment '{spec.Id}': the replica did not finish initializing within InitializationTimeout ({spec.Options.InitializationTimeout.TotalSeconds:0.###} s; initialization_timeout_s in a config file), so its InitializeAsync was cancelled and it never served. Fix: make the initialization finish sooner, or raise the timeout.";

    /// <summary>
    /// What a start says whose user code still held its thread (a constructor, or an InitializeAsync that does not yield)
    /// well past <see cref="DeploymentOptions.InitializationTimeout"/>: left to finish alone, its instance disposed then.
    /// </summary>
    internal static string InitializationTimedOutHoldingThread(DeploymentSpec spec) =>
        $"Deployment '{spec.Id}': the replica did not finish initializing within InitializationTimeout ({spec.Options.InitializationTimeout.TotalSeconds:0.###} s; initialization_timeout_s in a config file): its constructor or InitializeAsync still held its thread, so it was left to finish alone (its instance is disposed when it returns) and it never served. Fix: make the initialization finish sooner (load a model in InitializeAsync, awaiting, and heed its token), or raise the timeout.";

    /// <summary>
    /// A replica serves only once its health check passed, as Ray's: else a version whose check fails replaced every
    /// replica of one that works (each new one counted as running, the old ones stopped), and only then failed its
    /// checks, over and over. It fails the start instead, which the deployment retries and gives up on as on a constructor
    /// that throws, leaving the previous version serving.
    /// </summary>
    private static async Task FirstHealthCheckAsync(DeploymentSpec spec, object target, TimeProvider time, CancellationToken cancellationToken)
    {
        if (target is not ICustomHealthCheck checkable)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(spec.Options.HealthCheckTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await checkable.CheckHealthAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ServeException($"Deployment '{spec.Id}': the replica's first health check did not finish within HealthCheckTimeout ({spec.Options.HealthCheckTimeout.TotalSeconds:0.###} s), so it never served.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ServeException($"Deployment '{spec.Id}': the replica's first health check failed, so it never served: {e.GetType().FullName}: {e.Message}");
        }
    }

    /// <summary>
    /// Disposes an instance whose start failed after its constructor ran: it may hold what it took (a model, a file), and
    /// nobody else will dispose it. The start's failure is what its caller hears; a disposal that fails too is said with it.
    /// </summary>
    public async Task DisposeAfterFailedStartAsync(Exception failure)
    {
        try
        {
            await DisposeAsync();
        }
        catch (Exception disposal)
        {
            throw new AggregateException(failure, disposal);
        }
    }

    /// <summary>
    /// Hands the user config to the instance when it changed since the last time; true when it did (false: only Serve's
    /// own options, batching included, were taken).
    /// </summary>
    public async Task<bool> ReconfigureAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        _batches.Apply(spec.Options.Batching);
        var config = spec.Options.UserConfig;
        if (config is null || config == _userConfig)
        {
            return false;
        }
        if (Target is not IReconfigurable reconfigurable)
        {
            throw new ServeException($"Deployment '{spec.Id}' has a UserConfig but {Target.GetType().Name} does not implement IReconfigurable. Fix: implement it, or remove the UserConfig.");
        }
        using var document = JsonDocument.Parse(config);
        await reconfigurable.ReconfigureAsync(document.RootElement.Clone(), cancellationToken);
        _userConfig = config;
        return true;
    }

    public MethodInvoker Find(string method, int argumentCount) => _methods.Find(method, argumentCount);

    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Target is ICustomHealthCheck checkable ? checkable.CheckHealthAsync(cancellationToken) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _batches.Dispose();
        if (Models is not null)
        {
            // The models first: the instance may own what they use.
            await Models.DisposeAsync();
            InstanceModels.Detach(Target);
        }
        switch (Target)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private static Type BoundDeploymentType(BoundArgument argument, DeploymentSpec spec, DeploymentTypeAdmission admission) =>
        admission.AdmitDeployment(argument.DeploymentTypeName ?? "", out var refused)
        ?? throw new ServeException($"Deployment '{spec.Id}': the bound deployment '{argument.Deployment}': {refused}");

    private static Type BoundValueType(string typeName, DeploymentSpec spec, DeploymentTypeAdmission admission) =>
        admission.ResolveArgumentType(typeName, out var refused)
        ?? throw new ServeException($"Deployment '{spec.Id}': {refused}");

    private static object? BoundValue(DeploymentSpec spec, BoundArgument argument, ParameterInfo parameter, IHandleRuntime handles)
    {
        if (argument.IsDeployment)
        {
            var id = new DeploymentId(spec.Application, argument.Deployment!);
            return parameter.ParameterType == typeof(DeploymentHandle)
                ? new DeploymentHandle(handles, id, CallOptions.Default)
                : Activator.CreateInstance(parameter.ParameterType, BindingFlags.NonPublic | BindingFlags.Instance, null, [handles, id, CallOptions.Default], null);
        }
        return argument.Json is null ? null : JsonSerializer.Deserialize(argument.Json, parameter.ParameterType);
    }

    private static object? ServiceValue(DeploymentSpec spec, Type type, ParameterInfo parameter, IServiceProvider services)
    {
        var service = services.GetService(parameter.ParameterType);
        if (service is not null)
        {
            return service;
        }
        if (parameter.HasDefaultValue)
        {
            return parameter.DefaultValue;
        }
        throw new ServeException(
            $"Deployment '{spec.Id}': parameter '{parameter.Name}' ({ConstructorBinding.Name(parameter.ParameterType)}) of {type.Name} is neither bound nor registered for dependency injection. Fix: pass it to Bind(...) or register {ConstructorBinding.Name(parameter.ParameterType)} in the silo's services: in a public class implementing Serve.Hosting.IServeServiceSetup beside the deployment (every host that loads its assembly runs it), or in your program's builder.Services.");
    }
}
