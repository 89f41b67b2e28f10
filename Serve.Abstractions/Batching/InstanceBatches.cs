using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Serve.Batching;

/// <summary>
/// The batch queues of one deployment instance, one per batched method, made on first use. A replica attaches its
/// clock, metrics and run-time options before the instance serves; an instance used outside a replica (a unit
/// test of the user's class, say) gets queues on the system clock with the attributes' settings.
/// </summary>
internal sealed class InstanceBatches : IDisposable
{
    private static readonly ConditionalWeakTable<object, InstanceBatches> Instances = new();

    private readonly object _target;
    private readonly ConcurrentDictionary<MethodKey, Lazy<IBatchQueue>> _queues = new();
    private readonly ConcurrentDictionary<MethodKey, BatchOptions> _fromCode = new();
    private readonly TimeProvider _time;
    private readonly IBatchObserver? _observer;
    private volatile IReadOnlyDictionary<string, BatchOptions> _fromConfig;

    private InstanceBatches(object target, TimeProvider time, IBatchObserver? observer, IReadOnlyDictionary<string, BatchOptions> fromConfig)
    {
        _target = target;
        _time = time;
        _observer = observer;
        _fromConfig = fromConfig;
    }

    /// <summary>The queues of <paramref name="target"/>.</summary>
    public static InstanceBatches For(object target) =>
        Instances.GetValue(target, static t => new InstanceBatches(t, TimeProvider.System, null, EmptyOptions));

    /// <summary>Gives <paramref name="target"/> queues on <paramref name="time"/>, reporting to <paramref name="observer"/>, with run-time options by method name.</summary>
    public static InstanceBatches Attach(object target, TimeProvider time, IBatchObserver? observer, IReadOnlyDictionary<string, BatchOptions> options)
    {
        var batches = new InstanceBatches(target, time, observer, options);
        Instances.AddOrUpdate(target, batches);
        return batches;
    }

    private static readonly IReadOnlyDictionary<string, BatchOptions> EmptyOptions = new Dictionary<string, BatchOptions>();

    /// <summary>The queue of <paramref name="method"/>, a <see cref="BatchAttribute"/> method of the instance's class.</summary>
    public IBatchQueue Queue(MethodInfo method) =>
        _queues.GetOrAdd(new MethodKey(method), static (_, state) => new Lazy<IBatchQueue>(() =>
        {
            var (self, method) = state;
            var batch = BatchMethod.For(method)
                ?? throw new ArgumentException($"{method.DeclaringType?.Name}.{method.Name} is not marked [Batch].", nameof(method));
            return batch.CreateQueue(self._target, self.SettingsOf(batch), self._time, self._observer);
        }), (this, method)).Value;

    /// <summary>Run-time options from the deployment's options or config file; replaces the previous ones.</summary>
    public void Apply(IReadOnlyDictionary<string, BatchOptions> options)
    {
        _fromConfig = options;
        Reconfigure();
    }

    /// <summary>A run-time change made by the deployment's code. Options from config take precedence over it.</summary>
    public void Configure(MethodInfo method, BatchOptions options)
    {
        var batch = BatchMethod.For(method)
            ?? throw new ArgumentException($"{method.DeclaringType?.Name}.{method.Name} is not marked [Batch].", nameof(method));
        foreach (var problem in options.Validate(batch.Name))
        {
            throw new ArgumentException(problem, nameof(options));
        }
        _fromCode.AddOrUpdate(new MethodKey(method), options, (_, previous) => previous with
        {
            MaxBatchSize = options.MaxBatchSize ?? previous.MaxBatchSize,
            BatchWaitTimeout = options.BatchWaitTimeout ?? previous.BatchWaitTimeout,
            MaxConcurrentBatches = options.MaxConcurrentBatches ?? previous.MaxConcurrentBatches,
        });
        Reconfigure();
    }

    private void Reconfigure()
    {
        foreach (var queue in _queues.Values.Where(q => q.IsValueCreated).Select(q => q.Value))
        {
            queue.Configure(SettingsOf(queue.Method));
        }
    }

    /// <summary>The attribute's settings, then code's changes, then config's (config &gt; code &gt; defaults).</summary>
    private BatchSettings SettingsOf(BatchMethod batch) =>
        batch.Attribute.ToSettings()
            .With(_fromCode.GetValueOrDefault(new MethodKey(batch.Method)))
            .With(ConfigFor(batch.Method.Name, _fromConfig));

    /// <summary>The options given for a method by its name, or by its name without <c>Async</c>.</summary>
    internal static BatchOptions? ConfigFor(string methodName, IReadOnlyDictionary<string, BatchOptions> options) =>
        options.Count == 0 ? null
        : options.TryGetValue(methodName, out var exact) ? exact
        : methodName.EndsWith("Async", StringComparison.Ordinal) && options.TryGetValue(methodName[..^5], out var shortName) ? shortName
        : null;

    public void Dispose()
    {
        foreach (var queue in _queues.Values.Where(q => q.IsValueCreated))
        {
            (queue.Value as IDisposable)?.Dispose();
        }
        Instances.Remove(_target);
    }

    /// <summary>
    /// A method by its declaring type and metadata token: the same method whether it was found through the class
    /// (reflection) or through a delegate to it, which may reflect it from different types.
    /// </summary>
    private readonly record struct MethodKey(Type? DeclaringType, int Token)
    {
        public MethodKey(MethodInfo method) : this(method.DeclaringType, method.MetadataToken)
        {
        }
    }
}
