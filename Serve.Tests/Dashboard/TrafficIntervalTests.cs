using Serve.Dashboard;

namespace Serve.Tests.Dashboard;

public sealed class TrafficIntervalTests
{
    [Fact]
    public void Close_AfterRequests_CountsErrorsAs5xxOnlyAndStartsOver()
    {
        var interval = new TrafficInterval(16, new Random(1));
        interval.Record(0.010, 200);
        interval.Record(0.020, 404);
        interval.Record(0.030, 500);
        interval.Record(0.040, 503);

        var point = interval.Close(1000, runningReplicas: 3, targetReplicas: 4);
        var next = interval.Close(1001, 3, 4);

        Assert.Equal(new TrafficPoint(1000, 4, 2, 0.020, 0.040, 3, 4), point);
        Assert.Equal(new TrafficPoint(1001, 0, 0, null, null, 3, 4), next);
    }
}
