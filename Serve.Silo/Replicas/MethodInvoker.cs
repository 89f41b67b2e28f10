using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Serve.Batching;

namespace Serve.Replicas;

/// <summary>
/// Calls one public method of a deployment class: compiled once, then as fast as a direct call. A
/// <see cref="BatchAttribute"/> method is called with one input, which joins the instance's next batch.
/// </summary>
internal sealed class MethodInvoker
{
    private readonly Func<object, object?[], CancellationToken, object?> _call;
    private readonly ParameterInfo[] _parameters;
    private readonly ParameterDefault[] _defaults;
    private readonly Func<object?, ValueTask<object?>>? _await;
    private readonly Func<object?, CancellationToken, IAsyncEnumerable<object?>>? _stream;

    private MethodInvoker(MethodInfo method, IReadOnlyList<MethodInfo> declarations)
    {
        Method = method;
        _parameters = Callable(method);
        _defaults = ParameterDefault.Of(_parameters, declarations.Select(Callable));
        RequiredParameterCount = _defaults.Count(d => !d.Exists);
        _call = Compile(method);
        Batch = BatchMethod.For(method);
        var returnType = method.ReturnType;
        if (Batch is not null)
        {
            IsStream = Batch.IsStream;
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            _stream = Bind<Func<object?, CancellationToken, IAsyncEnumerable<object?>>>(nameof(BoxStream), returnType);
            IsStream = true;
        }
        else
        {
            _await = returnType switch
            {
                _ when returnType == typeof(Task) => static o => AwaitTask((Task)o!),
                _ when returnType == typeof(ValueTask) => static o => AwaitTask(((ValueTask)o!).AsTask()),
                _ when returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) =>
                    Bind<Func<object?, ValueTask<object?>>>(nameof(AwaitTaskOf), returnType),
                _ when returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>) =>
                    Bind<Func<object?, ValueTask<object?>>>(nameof(AwaitValueTaskOf), returnType),
                _ => null,
            };
        }
    }

    public MethodInfo Method { get; }

    public int ParameterCount => _parameters.Length;

    /// <summary>The arguments a call must pass: the others have defaults (<see cref="ParameterDefault"/>). Counted once, as every call's lookup asks.</summary>
    public int RequiredParameterCount { get; }

    public bool IsStream { get; }

    /// <summary>The batch this method gathers calls into; null when it is not a <see cref="BatchAttribute"/> method.</summary>
    public BatchMethod? Batch { get; }

    /// <summary>
    /// The invoker of <paramref name="method"/>. A parameter without a default of its own takes the one the first of
    /// <paramref name="declarations"/> (the interface methods it implements) gives it, as a call through that interface
    /// would: a typed handle's call passes every argument, and a call by name may leave those off.
    /// </summary>
    public static MethodInvoker Create(MethodInfo method, IReadOnlyList<MethodInfo> declarations) => new(method, declarations);

    private static ParameterInfo[] Callable(MethodInfo method) =>
        method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();

    public ValueTask<object?> InvokeAsync(object target, object?[] args, CancellationToken cancellationToken)
    {
        if (IsStream)
        {
            throw new InvalidOperationException($"{Method.Name} returns IAsyncEnumerable; call it as a stream (StreamAsync, or an IAsyncEnumerable method of a typed handle).");
        }
        if (Batch is not null)
        {
            return new(InstanceBatches.For(target).Queue(Method).EnqueueAsync(BatchInput(args), cancellationToken));
        }
        var result = _call(target, Convert(args), cancellationToken);
        return _await is null ? ValueTask.FromResult(result) : _await(result);
    }

    public IAsyncEnumerable<object?> Stream(object target, object?[] args, CancellationToken cancellationToken)
    {
        if (!IsStream)
        {
            throw new InvalidOperationException($"{Method.Name} does not return IAsyncEnumerable; call it with CallAsync.");
        }
        if (Batch is not null)
        {
            return InstanceBatches.For(target).Queue(Method).EnqueueStream(BatchInput(args), cancellationToken);
        }
        return _stream!(_call(target, Convert(args), cancellationToken), cancellationToken);
    }

    /// <summary>The one input a caller sends a batched method.</summary>
    private object? BatchInput(object?[] args) => args.Length == 1
        ? ConvertArgument(args[0], Batch!.InputType, _parameters[0].Name)
        : throw new ArgumentException($"{Method.Name} is batched: call it with one {BatchMethod.TypeName(Batch!.InputType)} (got {args.Length} argument(s)); the replica gathers calls into the list it takes.");

    private object?[] Convert(object?[] args)
    {
        if (args.Length > _parameters.Length)
        {
            throw new ArgumentException($"{Method.Name} takes {_parameters.Length} argument(s) but got {args.Length}.");
        }
        var converted = args.Length == _parameters.Length ? args : new object?[_parameters.Length];
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            if (i >= args.Length)
            {
                converted[i] = _defaults[i].Exists
                    ? _defaults[i].Value
                    : throw new ArgumentException($"{Method.Name} needs argument '{parameter.Name}' ({parameter.ParameterType.Name}) but got {args.Length} argument(s).");
                continue;
            }
            converted[i] = ConvertArgument(args[i], parameter.ParameterType, parameter.Name);
        }
        return converted;
    }

    private object? ConvertArgument(object? value, Type type, string? name)
    {
        if (value is null || type.IsInstanceOfType(value))
        {
            return value;
        }
        try
        {
            if (value is JsonElement json)
            {
                return json.Deserialize(type);
            }
            var target = Nullable.GetUnderlyingType(type) ?? type;
            if (value is string && IsBytes(target))
            {
                // The JSON round trip below would read the string as base64: "not bytes" became 6 bytes of garbage, so a
                // caller whose copy of the interface says string (one side updated, not the other) got a wrong answer.
                throw new InvalidCastException("a string is not taken as bytes; pass the bytes themselves");
            }
            if (value is IConvertible && (target.IsPrimitive || target == typeof(decimal)))
            {
                return System.Convert.ChangeType(value, target, System.Globalization.CultureInfo.InvariantCulture);
            }
            return JsonSerializer.Deserialize(JsonSerializer.Serialize(value, value.GetType()), type);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or JsonException or NotSupportedException)
        {
            throw new ArgumentException($"{Method.Name}: argument '{name}' must be {type.Name}, got {value.GetType().Name} ({e.Message}).", e);
        }
    }

    private static bool IsBytes(Type type) => type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(Memory<byte>);

    private static Func<object, object?[], CancellationToken, object?> Compile(MethodInfo method)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var index = 0;
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken)
            ? (Expression)token
            : Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(index++)), p.ParameterType));
        Expression call = Expression.Call(Expression.Convert(target, method.DeclaringType!), method, arguments);
        call = method.ReturnType == typeof(void)
            ? Expression.Block(call, Expression.Constant(null, typeof(object)))
            : Expression.Convert(call, typeof(object));
        return Expression.Lambda<Func<object, object?[], CancellationToken, object?>>(call, target, args, token).Compile();
    }

    private static TDelegate Bind<TDelegate>(string name, Type genericReturnType) where TDelegate : Delegate =>
        typeof(MethodInvoker).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(genericReturnType.GetGenericArguments()[0])
            .CreateDelegate<TDelegate>();

    private static ValueTask<object?> AwaitTask(Task task)
    {
        return task.IsCompletedSuccessfully ? default : Slow(task);

        static async ValueTask<object?> Slow(Task task)
        {
            await task;
            return null;
        }
    }

    private static ValueTask<object?> AwaitTaskOf<T>(object? task)
    {
        var typed = (Task<T>)task!;
        return typed.IsCompletedSuccessfully ? ValueTask.FromResult<object?>(typed.Result) : Slow(typed);

        static async ValueTask<object?> Slow(Task<T> task) => await task;
    }

    private static ValueTask<object?> AwaitValueTaskOf<T>(object? task)
    {
        var typed = (ValueTask<T>)task!;
        return typed.IsCompletedSuccessfully ? ValueTask.FromResult<object?>(typed.Result) : Slow(typed);

        static async ValueTask<object?> Slow(ValueTask<T> task) => await task;
    }

    private static async IAsyncEnumerable<object?> BoxStream<T>(object? stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ((IAsyncEnumerable<T>)stream!).WithCancellation(cancellationToken))
        {
            yield return item;
        }
    }
}
