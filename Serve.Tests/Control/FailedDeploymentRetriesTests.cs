using Serve.Control;

namespace Serve.Tests.Control;

/// <summary>Which DEPLOY_FAILED deployments the controller asks to try again, and when: once per silo that joins.</summary>
public sealed class FailedDeploymentRetriesTests
{
    private readonly FailedDeploymentRetries _retries = new();
    private readonly HashSet<string> _existing = ["app/A", "app/B", "app/C"];

    private IReadOnlyList<string> Due(params string[] failed) => _retries.Due(failed, _existing.Contains);

    [Fact]
    public void OnSilos_FirstLook_LearnsTheSilosWithoutRetrying()
    {
        Assert.False(_retries.OnSilos(["w1", "w2"], ["app/A"]));

        Assert.Empty(Due("app/A"));
    }

    [Fact]
    public void OnSilos_SiloJoinsAfterTheFailure_EachFailedDeploymentDueOnceNamingTheSilo()
    {
        _retries.OnSilos(["w1"], ["app/A", "app/B"]);

        Assert.True(_retries.OnSilos(["w1", "w2"], ["app/A", "app/B"]));

        Assert.Equal(["app/A", "app/B"], Due("app/A", "app/B"));
        Assert.Equal("silo w2 joined the cluster", _retries.Reason);
        _retries.Done("app/A");
        _retries.Done("app/B");
        // Failed again on the new silo: not asked again, however often its failure is reported, until another joins.
        Assert.Empty(Due("app/A", "app/B"));
        Assert.Empty(Due("app/A", "app/B"));
    }

    [Fact]
    public void OnSilos_NoSiloJoined_NothingDue()
    {
        _retries.OnSilos(["w1", "w2"], ["app/A"]);

        // A silo left, then the same set again: capacity did not grow.
        Assert.False(_retries.OnSilos(["w1"], ["app/A"]));
        Assert.Empty(Due("app/A"));
    }

    [Fact]
    public void OnSilos_SiloRestartedUnderANewAddress_CountsAsAJoin()
    {
        _retries.OnSilos(["w1@1"], ["app/A"]);
        _retries.OnSilos([], ["app/A"]);

        Assert.True(_retries.OnSilos(["w1@2"], ["app/A"]));

        Assert.Equal(["app/A"], Due("app/A"));
    }

    [Fact]
    public void Due_DeploymentFailedAfterTheLastJoin_NotDue()
    {
        _retries.OnSilos(["w1"], []);
        _retries.OnSilos(["w1", "w2"], []);

        // Deployed, and failed, with w2 already there: no silo joined since.
        Assert.Empty(Due("app/C"));
    }

    [Fact]
    public void Due_SiloJoinsWhileTheRetryIsUnderWay_DueOnceMoreWhenItFailsAgain()
    {
        _retries.OnSilos(["w1"], ["app/A"]);
        _retries.OnSilos(["w1", "w2"], ["app/A"]);
        Assert.Equal(["app/A"], Due("app/A"));

        // Asked, not answered yet, when a third silo joins: not asked twice at once.
        Assert.True(_retries.OnSilos(["w1", "w2", "w3"], ["app/A"]));
        Assert.Empty(Due("app/A"));
        _retries.Done("app/A");

        // Its retry, placed before w3 joined, fails: w3 has not been tried.
        Assert.Equal(["app/A"], Due("app/A"));
        Assert.Equal("silo w3 joined the cluster", _retries.Reason);
    }

    [Fact]
    public void Due_SeveralSilosJoinAtOnce_OneRetryNamingThemAll()
    {
        _retries.OnSilos(["w1"], ["app/A"]);

        Assert.True(_retries.OnSilos(["w1", "w3", "w2"], ["app/A"]));

        Assert.Equal(["app/A"], Due("app/A"));
        Assert.Equal("silos w2, w3 joined the cluster", _retries.Reason);
        _retries.Done("app/A");
        Assert.Empty(Due("app/A"));
    }

    [Fact]
    public void Due_ManyFailedDeploymentsManyReports_EachAskedOncePerJoin()
    {
        var failed = Enumerable.Range(0, 1000).Select(i => $"app/D{i}").ToArray();
        _existing.UnionWith(failed);
        _retries.OnSilos(["w1"], failed);
        _retries.OnSilos(["w1", "w2"], failed);

        var asked = new List<string>();
        for (var report = 0; report < 50; report++)
        {
            asked.AddRange(Due(failed));
            foreach (var key in failed)
            {
                _retries.Done(key);
            }
        }

        Assert.Equal(failed, asked);
    }

    [Fact]
    public void Due_DeploymentDeleted_Forgotten()
    {
        _retries.OnSilos(["w1"], ["app/A"]);
        _retries.OnSilos(["w1", "w2"], ["app/A"]);
        _existing.Remove("app/A");
        Assert.Empty(Due());

        // Deployed again under the same name, failing with w2 there: no join since.
        _existing.Add("app/A");
        Assert.Empty(Due("app/A"));
    }
}
