namespace Serve.Dashboard;

/// <summary>The last <see cref="Capacity"/> points, oldest dropped first: bounded memory however long the gateway runs. Thread-safe.</summary>
internal sealed class TrafficHistory
{
    private readonly TrafficPoint[] _points;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public TrafficHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _points = new TrafficPoint[capacity];
    }

    public int Capacity => _points.Length;

    public void Add(TrafficPoint point)
    {
        lock (_lock)
        {
            _points[_next] = point;
            _next = (_next + 1) % _points.Length;
            _count = Math.Min(_count + 1, _points.Length);
        }
    }

    /// <summary>A copy of the points, oldest first.</summary>
    public TrafficPoint[] Snapshot()
    {
        lock (_lock)
        {
            var copy = new TrafficPoint[_count];
            var start = (_next - _count + _points.Length) % _points.Length;
            for (var i = 0; i < _count; i++)
            {
                copy[i] = _points[(start + i) % _points.Length];
            }
            return copy;
        }
    }
}
