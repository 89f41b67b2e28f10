using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Serve.Multiplexing;

/// <summary>A deployment class's <see cref="MultiplexedAttribute"/> loader, read once from its signature.</summary>
internal sealed class ModelLoader
{
    private static readonly ConcurrentDictionary<MethodInfo, (ModelLoader? Loader, string? Error)> Cache = new();

    private readonly Func<object, string, CancellationToken, object?> _call;
    private readonly Func<object?, Task<object?>> _await;

    private ModelLoader(MethodInfo method, MultiplexedAttribute attribute, Type modelType)
    {
        Method = method;
        Attribute = attribute;
        ModelType = modelType;
        Name = $"{method.DeclaringType!.Name}.{method.Name}";
        _call = Compile(method);
        var adapter = method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(AwaitTask) : nameof(AwaitValueTask);
        _await = typeof(ModelLoader).GetMethod(adapter, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(modelType).CreateDelegate<Func<object?, Task<object?>>>();
    }

    public MethodInfo Method { get; }

    public MultiplexedAttribute Attribute { get; }

    public Type ModelType { get; }

    /// <summary><c>Type.Method</c>, for messages.</summary>
    public string Name { get; }

    /// <summary>The loader of <paramref name="type"/>, or null when it has none; throws when it has more than one or a wrong signature.</summary>
    public static ModelLoader? Find(Type type)
    {
        var marked = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.IsDefined(typeof(MultiplexedAttribute), inherit: true))
            .ToArray();
        return marked.Length switch
        {
            0 => null,
            1 => For(marked[0]),
            _ => throw new InvalidOperationException(
                $"{type.Name} marks {marked.Length} methods [Multiplexed] ({string.Join(", ", marked.Select(m => m.Name))}); a deployment has one model loader. Fix: keep [Multiplexed] on one."),
        };
    }

    /// <summary>The loader <paramref name="method"/>; throws when it is not marked or cannot be a loader.</summary>
    public static ModelLoader For(MethodInfo method)
    {
        var (loader, error) = Cache.GetOrAdd(method, static m => (Analyse(m, out var e), e));
        return loader ?? throw new InvalidOperationException(error);
    }

    /// <summary>Loads <paramref name="modelId"/> with the loader of <paramref name="target"/>.</summary>
    public Task<object?> LoadAsync(object target, string modelId, CancellationToken cancellationToken) =>
        _await(_call(target, modelId, cancellationToken));

    private static ModelLoader? Analyse(MethodInfo method, out string? error)
    {
        error = null;
        var name = $"{method.DeclaringType!.Name}.{method.Name}";
        var attribute = method.GetCustomAttribute<MultiplexedAttribute>(inherit: true);
        if (attribute is null)
        {
            error = $"{name} is not marked [Multiplexed].";
            return null;
        }
        var fix = $"Fix: declare it as public Task<TModel> {method.Name}(string modelId, CancellationToken cancellationToken).";
        var parameters = method.GetParameters();
        var strings = parameters.Count(p => p.ParameterType == typeof(string));
        var tokens = parameters.Count(p => p.ParameterType == typeof(CancellationToken));
        var returnType = method.ReturnType;
        if (method.IsStatic || !method.IsPublic || method.ContainsGenericParameters)
        {
            error = $"[Multiplexed] method {name} must be a public, non-generic instance method. {fix}";
        }
        else if (parameters.Length == 0 || parameters[0].ParameterType != typeof(string) || strings != 1 || tokens > 1 || strings + tokens != parameters.Length)
        {
            error = $"[Multiplexed] method {name} must take the model id (a string) and, optionally, a CancellationToken. {fix}";
        }
        else if (!returnType.IsGenericType || (returnType.GetGenericTypeDefinition() != typeof(Task<>) && returnType.GetGenericTypeDefinition() != typeof(ValueTask<>)))
        {
            error = $"[Multiplexed] method {name} returns {returnType.Name}; it must return the loaded model as Task<TModel> or ValueTask<TModel>. {fix}";
        }
        else if (attribute.MaxModelsPerReplica < 1)
        {
            error = $"[Multiplexed] method {name}: MaxModelsPerReplica {attribute.MaxModelsPerReplica} must be ≥ 1.";
        }
        return error is null ? new ModelLoader(method, attribute, returnType.GetGenericArguments()[0]) : null;
    }

    private static Func<object, string, CancellationToken, object?> Compile(MethodInfo method)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var id = Expression.Parameter(typeof(string), "modelId");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken) ? (Expression)token : id);
        var call = Expression.Convert(Expression.Call(Expression.Convert(target, method.DeclaringType!), method, arguments), typeof(object));
        return Expression.Lambda<Func<object, string, CancellationToken, object?>>(call, target, id, token).Compile();
    }

    private static async Task<object?> AwaitTask<TModel>(object? task) => await (Task<TModel>)task!;

    private static async Task<object?> AwaitValueTask<TModel>(object? task) => await (ValueTask<TModel>)task!;
}
