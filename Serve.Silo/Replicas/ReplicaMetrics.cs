using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Serve.Batching;
using Serve.Diagnostics;
using Serve.Multiplexing;

namespace Serve.Replicas;

/// <summary>
/// What replicas do, on the <c>Serve</c> meter: how long they took over each request (whose count is the request count,
/// and with <c>error.type</c> the error count) and how many they are running now; batch sizes, how long batches waited
/// to fill and ran (each invocation of a batched method, with <c>error.type</c> when it threw: a batch that threw and then
/// each of its inputs run again alone are invocations of their own), model requests (hit or not), loads and evictions. Tags are the application and deployment (and the
/// batched method's name, from code): never request data. Only the gauge of running requests names the replica, since it
/// stops reporting a replica once the replica stops.
/// </summary>
internal sealed partial class ReplicaMetrics
{
    internal const string MethodTag = "serve.method";
    internal const string HitTag = "serve.model.hit";
    internal const string OutcomeTag = "serve.outcome";

    /// <summary>The name of the histogram of replicas' processing time per request.</summary>
    public const string RequestDurationName = "serve.deployment.request.duration";

    /// <summary>The name of the up-down counter of requests each replica is running.</summary>
    public const string OngoingRequestsName = "serve.replica.ongoing_requests";

    /// <summary>
    /// Bucket bounds of <c>serve.batch.size</c>: powers of two, so a batch of 16 is told from one of 5 (OpenTelemetry's
    /// default bounds, 0, 5, 10, 25 and on, are meant for milliseconds).
    /// </summary>
    internal static readonly IReadOnlyList<int> BatchSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    /// <summary>Bucket bounds, in seconds, of <c>serve.multiplexed.model_load_time</c>: the durations' and on to 5 minutes, as a model may take that long to load.</summary>
    internal static readonly IReadOnlyList<double> ModelLoadBuckets = [.. ServeMeter.DurationBuckets, 30, 60, 120, 300];

    /// <summary>The <c>error.type</c> of a request that ran past its deadline.</summary>
    internal static readonly string TimeoutError = typeof(RequestTimeoutException).FullName!;

    private readonly Histogram<double> _requestDuration;
    private readonly ConcurrentDictionary<Observer, Func<int>> _ongoing = new();

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _batchWait;
    private readonly Histogram<double> _batchDuration;
    private readonly UpDownCounter<int> _batchQueue;
    private readonly Counter<long> _modelRequests;
    private readonly Counter<long> _modelLoads;
    private readonly Histogram<double> _modelLoadTime;
    private readonly Counter<long> _modelEvictions;
    private readonly ILogger<ReplicaMetrics> _logger;

    public ReplicaMetrics(IMeterFactory meterFactory, ILogger<ReplicaMetrics> logger)
    {
        _logger = logger;
        var meter = meterFactory.Create(ServeMeter.Name);
        _requestDuration = meter.CreateHistogram(RequestDurationName, "s",
            "How long replicas took to process requests (until their answer, or its first part when it streams), by deployment and error type.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServeMeter.DurationBuckets });
        // An up-down counter, as OpenTelemetry's http.server.active_requests: requests in flight add up across replicas.
        meter.CreateObservableUpDownCounter(OngoingRequestsName, ObserveOngoing, "{request}", "Requests each replica on this silo is running now.");
        // Every histogram in seconds takes the duration buckets: without advice, OpenTelemetry's defaults (0, 5, 10, 25, …
        // 10000, meant for milliseconds) put every batch wait and run of a model below 5 s in one bucket.
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = ServeMeter.DurationBuckets };
        _batchSize = meter.CreateHistogram("serve.batch.size", "{request}", "Inputs per invocation of a [Batch] method.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchSizeBuckets });
        _batchWait = meter.CreateHistogram("serve.batch.wait_time", "s", "How long a batch's oldest input waited for the batch to start.", advice: seconds);
        _batchDuration = meter.CreateHistogram("serve.batch.duration", "s", "How long one invocation of a [Batch] method ran.", advice: seconds);
        _batchQueue = meter.CreateUpDownCounter<int>("serve.batch.queue_length", "{request}", "Calls waiting for a batch of a [Batch] method to start.");
        _modelRequests = meter.CreateCounter<long>("serve.multiplexed.model_requests", "{request}", "Requests for a multiplexed model, by whether the replica held it loaded.");
        _modelLoads = meter.CreateCounter<long>("serve.multiplexed.model_loads", "{load}", "Multiplexed model loads, by outcome.");
        _modelLoadTime = meter.CreateHistogram("serve.multiplexed.model_load_time", "s", "How long loading a multiplexed model took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ModelLoadBuckets });
        _modelEvictions = meter.CreateCounter<long>("serve.multiplexed.model_evictions", "{model}", "Multiplexed models evicted to make room for another.");
    }

    /// <summary>The observer of one deployment's replica.</summary>
    public Observer For(DeploymentId deployment, string replicaId) => new(this, deployment, replicaId);

    /// <summary>Whether request durations are recorded now: when false, replicas skip the clock and the tags.</summary>
    public bool RequestDurationEnabled => _requestDuration.Enabled;

    private IEnumerable<Measurement<int>> ObserveOngoing()
    {
        foreach (var (replica, ongoing) in _ongoing)
        {
            yield return new Measurement<int>(ongoing(), replica.Application, replica.Deployment, replica.Replica);
        }
    }

    internal sealed class Observer(ReplicaMetrics metrics, DeploymentId deployment, string replicaId) : IBatchObserver, IModelCacheObserver
    {
        private readonly KeyValuePair<string, object?> _application = new(ServeMeter.ApplicationTag, deployment.Application);
        private readonly KeyValuePair<string, object?> _deployment = new(ServeMeter.DeploymentTag, deployment.Name);
        private readonly KeyValuePair<string, object?> _replica = new(ServeMeter.ReplicaTag, replicaId);

        public KeyValuePair<string, object?> Application => _application;

        public KeyValuePair<string, object?> Deployment => _deployment;

        public KeyValuePair<string, object?> Replica => _replica;

        /// <summary>Records one request the replica ran; <paramref name="errorType"/> is null when it succeeded.</summary>
        public void RequestServed(TimeSpan duration, string? errorType)
        {
            // No replica tag: a histogram's series lives as long as the process, and replicas come and go with every
            // rollout and scaling decision, so a per-replica series would outlive its replica and grow with redeploys.
            var tags = new TagList { _application, _deployment };
            if (errorType is not null)
            {
                tags.Add(ServeMeter.ErrorTypeTag, errorType);
            }
            metrics._requestDuration.Record(duration.TotalSeconds, tags);
        }

        /// <summary>Reports <paramref name="ongoing"/> as the replica's running requests until <see cref="StopTracking"/>.</summary>
        public void TrackOngoing(Func<int> ongoing) => metrics._ongoing[this] = ongoing;

        public void StopTracking() => metrics._ongoing.TryRemove(this, out _);

        public void BatchCompleted(BatchMethod method, int size, TimeSpan wait, TimeSpan duration, Exception? error)
        {
            var tags = new TagList { _application, _deployment, { MethodTag, method.Method.Name } };
            if (error is not null)
            {
                tags.Add(ServeMeter.ErrorTypeTag, error.GetType().FullName);
            }
            metrics._batchSize.Record(size, tags);
            metrics._batchWait.Record(wait.TotalSeconds, tags);
            metrics._batchDuration.Record(duration.TotalSeconds, tags);
        }

        public bool Traces => ServeActivitySource.Instance.HasListeners();

        public Activity? StartBatch(BatchInvocation invocation) => BatchSpan.Start(invocation, this);

        public void BatchFailed(Activity? span, Exception error) => BatchSpan.Failed(span, error);

        public void WaitingChanged(BatchMethod method, int delta) =>
            metrics._batchQueue.Add(delta, _application, _deployment, new(MethodTag, method.Method.Name));

        public void ModelRequested(bool hit) => metrics._modelRequests.Add(1, _application, _deployment, new(HitTag, hit));

        public void ModelLoaded(TimeSpan duration, bool failed)
        {
            metrics._modelLoads.Add(1, _application, _deployment, new(OutcomeTag, failed ? "failed" : "loaded"));
            metrics._modelLoadTime.Record(duration.TotalSeconds, _application, _deployment);
        }

        public void ModelEvicted() => metrics._modelEvictions.Add(1, _application, _deployment);

        public void ModelDisposeFailed(Exception error) => LogModelDisposeFailed(metrics._logger, error, replicaId);
    }

    [LoggerMessage(EventId = ServeEvents.ModelDisposeFailed, Level = LogLevel.Warning, Message = "Replica {Replica}: disposing an evicted model threw")]
    private static partial void LogModelDisposeFailed(ILogger logger, Exception error, string replica);
}
