using Serve.Control;
using Serve.Grains;

namespace Serve.Tests.Control;

/// <summary>Which spec each route leads to while applications are deployed, changed and deleted.</summary>
public sealed class RoutedApplicationsTests
{
    private readonly RoutedApplications _routed = new();
    private readonly Dictionary<string, ApplicationSpec> _stored = [];
    private readonly HashSet<string> _deleting = [];

    private static ApplicationSpec App(string name, string? prefix, string ingress = "Ingress") =>
        new() { Name = name, RoutePrefix = prefix, IngressDeployment = ingress, Deployments = [] };

    private IEnumerable<(string Prefix, string Application, string Ingress)> Routes() =>
        _routed.Routes(_stored, _deleting).Select(r => (r.Prefix, r.Application, r.IngressDeployment));

    [Fact]
    public void Routes_NewApplicationStoredNotYetTaken_NoRouteUntilItsDeploymentsTookIt()
    {
        var app = App("a", "/a");
        _stored["a"] = app;

        Assert.Empty(Routes());

        Assert.True(_routed.Taken(app));
        Assert.Equal([("/a", "a", "Ingress")], Routes());
    }

    [Fact]
    public void Routes_ChangedApplicationNotYetTaken_KeepsThePreviousRouteUntilTaken()
    {
        var before = App("a", "/a", "Old");
        _stored["a"] = before;
        _routed.Taken(before);
        var after = App("a", "/a", "New");
        _stored["a"] = after;

        Assert.Equal([("/a", "a", "Old")], Routes());

        _routed.Taken(after);
        Assert.Equal([("/a", "a", "New")], Routes());
    }

    [Fact]
    public void Routes_ApplicationBeingDeletedOrGone_NoRoute()
    {
        var app = App("a", "/a");
        _stored["a"] = app;
        _routed.Taken(app);

        _deleting.Add("a");
        Assert.Empty(Routes());

        _deleting.Remove("a");
        _stored.Remove("a");
        _routed.Forget("a");
        Assert.Empty(Routes());
    }

    [Fact]
    public void Routes_PrefixLeftByAChangeInFlightTakenByAnother_TheStoredSpecWins()
    {
        var before = App("a", "/x");
        _routed.Taken(before);
        _stored["a"] = App("a", "/y");
        var other = App("c", "/x");
        _stored["c"] = other;
        _routed.Taken(other);

        Assert.Equal([("/x", "c", "Ingress")], Routes());
    }

    [Fact]
    public void Taken_SameSpecAgain_ChangesNothing()
    {
        var app = App("a", "/a");
        _routed.Taken(app);

        Assert.False(_routed.Taken(app));
    }
}
