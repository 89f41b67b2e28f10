using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;

namespace Serve.Batching;

/// <summary>
/// What a <see cref="BatchAttribute"/> method takes and gives, read once from its signature, and how to build a
/// queue for it on an instance. A signature that cannot be batched is an error naming the method and the fix.
/// </summary>
internal sealed class BatchMethod
{
    private static readonly ConcurrentDictionary<MethodInfo, (BatchMethod? Method, string? Error)> Cache = new();

    private static readonly Type[] ListInterfaces =
        [typeof(IReadOnlyList<>), typeof(IList<>), typeof(IEnumerable<>), typeof(IReadOnlyCollection<>), typeof(ICollection<>)];

    private readonly Func<object, Array, CancellationToken, object?> _call;

    private BatchMethod(MethodInfo method, BatchAttribute attribute, Type input, Type output, Type resultList, bool isStream)
    {
        Method = method;
        Attribute = attribute;
        InputType = input;
        OutputType = output;
        ResultListType = resultList;
        IsStream = isStream;
        Name = $"{method.DeclaringType!.Name}.{method.Name}";
        _call = Compile(method);
    }

    public MethodInfo Method { get; }

    public BatchAttribute Attribute { get; }

    /// <summary><c>Type.Method</c>, for messages.</summary>
    public string Name { get; }

    /// <summary>The type of one input (<c>TIn</c>).</summary>
    public Type InputType { get; }

    /// <summary>The type of one result (<c>TOut</c>).</summary>
    public Type OutputType { get; }

    /// <summary>What the method returns per batch (or per stream step): a list type of <see cref="OutputType"/>.</summary>
    public Type ResultListType { get; }

    public bool IsStream { get; }

    /// <summary>Whether <paramref name="method"/> carries <see cref="BatchAttribute"/>.</summary>
    public static bool IsBatched(MethodInfo method) => method.IsDefined(typeof(BatchAttribute), inherit: true);

    /// <summary>The batch method, or null when <paramref name="method"/> is not batched; throws when it is but cannot be.</summary>
    public static BatchMethod? For(MethodInfo method)
    {
        var (batch, error) = Cache.GetOrAdd(method, static m => (Analyse(m, out var e), e));
        return error is null ? batch : throw new InvalidOperationException(error);
    }

    /// <summary>Null when <paramref name="method"/> is not batched or is batched correctly; else what is wrong and the fix.</summary>
    public static string? Check(MethodInfo method)
    {
        try
        {
            For(method);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>Calls the method on <paramref name="target"/> with <paramref name="inputs"/> (a <c>TIn[]</c>): a task or an async stream of result lists.</summary>
    public object? Invoke(object target, Array inputs, CancellationToken cancellationToken) => _call(target, inputs, cancellationToken);

    /// <summary>A queue for this method on <paramref name="target"/>.</summary>
    public IBatchQueue CreateQueue(object target, BatchSettings settings, TimeProvider time, IBatchObserver? observer) =>
        (IBatchQueue)Activator.CreateInstance(
            typeof(BatchQueue<,>).MakeGenericType(InputType, OutputType),
            BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null,
            [this, target, settings, time, observer], null)!;

    private static BatchMethod? Analyse(MethodInfo method, out string? error)
    {
        error = null;
        var attribute = method.GetCustomAttribute<BatchAttribute>(inherit: true);
        if (attribute is null)
        {
            return null;
        }
        var name = $"{method.DeclaringType!.Name}.{method.Name}";
        var expected = $"Fix: declare it as Task<IReadOnlyList<TOut>> {method.Name}(IReadOnlyList<TIn> inputs, CancellationToken cancellationToken), "
            + $"or IAsyncEnumerable<IReadOnlyList<TOut>> {method.Name}(IReadOnlyList<TIn> inputs, CancellationToken cancellationToken) to stream; callers send one TIn.";
        if (method.IsStatic || method.ContainsGenericParameters)
        {
            error = $"[Batch] method {name} must be a non-generic instance method. {expected}";
            return null;
        }
        var parameters = method.GetParameters();
        var inputs = parameters.Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();
        if (inputs.Length != 1 || parameters.Length - inputs.Length > 1)
        {
            error = $"[Batch] method {name} takes ({Describe(parameters)}); a batched method takes the list of inputs and, optionally, a CancellationToken. {expected}";
            return null;
        }
        var input = ElementOf(inputs[0].ParameterType);
        if (input is null)
        {
            error = $"[Batch] method {name} takes {TypeName(inputs[0].ParameterType)}, not a list of inputs. {expected}";
            return null;
        }

        var returnType = method.ReturnType;
        var isStream = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>);
        var resultList = returnType.IsGenericType
            && returnType.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>) || isStream)
            ? returnType.GetGenericArguments()[0]
            : null;
        var output = resultList is null ? null : ReadOnlyListElementOf(resultList);
        if (output is null)
        {
            error = $"[Batch] method {name} returns {TypeName(returnType)}; it must return one result per input, as a list. {expected}";
            return null;
        }
        return new BatchMethod(method, attribute, input, output, resultList!, isStream);
    }

    /// <summary>TIn when a TIn[] can be passed as <paramref name="parameterType"/>.</summary>
    private static Type? ElementOf(Type parameterType)
    {
        if (parameterType.IsSZArray)
        {
            return parameterType.GetElementType();
        }
        return parameterType.IsGenericType && ListInterfaces.Contains(parameterType.GetGenericTypeDefinition())
            ? parameterType.GetGenericArguments()[0]
            : null;
    }

    private static Type? ReadOnlyListElementOf(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return type.GetGenericArguments()[0];
        }
        var lists = type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)).ToArray();
        return lists.Length == 1 ? lists[0].GetGenericArguments()[0] : null;
    }

    private static Func<object, Array, CancellationToken, object?> Compile(MethodInfo method)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var inputs = Expression.Parameter(typeof(Array), "inputs");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken)
            ? (Expression)token
            : Expression.Convert(inputs, p.ParameterType));
        var call = Expression.Convert(Expression.Call(Expression.Convert(target, method.DeclaringType!), method, arguments), typeof(object));
        return Expression.Lambda<Func<object, Array, CancellationToken, object?>>(call, target, inputs, token).Compile();
    }

    private static string Describe(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{TypeName(p.ParameterType)} {p.Name}"));

    internal static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.Name;
}
