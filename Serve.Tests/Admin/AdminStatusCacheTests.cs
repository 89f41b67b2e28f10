using System.Text;
using System.Text.Json;
using Serve.Admin;
using Serve.Grains;
using Serve.Hosting;

namespace Serve.Tests.Admin;

/// <summary>
/// The admin API's status cache against a controller that answers as the real one does: nothing while the version the
/// reader holds is current. Unchanged status is neither fetched again nor rebuilt; a change shows in the next read.
/// </summary>
public sealed class AdminStatusCacheTests
{
    private readonly List<long> _asked = [];
    private StatusView _current = View(1, Application("a", ApplicationState.Running), Application("b", ApplicationState.Running));

    /// <summary>The snapshot version that last changed each application, as the controller keeps it for one-application reads.</summary>
    private readonly Dictionary<string, long> _changedAt = new() { ["a"] = 1, ["b"] = 1 };

    /// <summary>The applications one-application reads were sent (not answered 'unchanged').</summary>
    private readonly List<string> _shipped = [];

    private AdminStatusCache Cache() => new(
        (known, _) =>
        {
            _asked.Add(known);
            return Task.FromResult(known == _current.Version ? null : _current);
        },
        (name, known, _) =>
        {
            if (!_current.Status.Applications.TryGetValue(name, out var status))
            {
                return Task.FromResult<ApplicationView?>(new ApplicationView());
            }
            if (known == _changedAt[name])
            {
                return Task.FromResult<ApplicationView?>(null);
            }
            _shipped.Add(name);
            return Task.FromResult<ApplicationView?>(new ApplicationView { Version = _changedAt[name], Status = status, Spec = _current.Applications.Single(s => s.Name == name) });
        },
        new ServeGatewayOptions());

    [Fact]
    public async Task GetApplicationAsync_NothingChanged_ShipsThatApplicationOnceAndNeverTheWholeStatus()
    {
        var cache = Cache();

        var first = await cache.GetApplicationAsync("a", CancellationToken.None);
        var second = await cache.GetApplicationAsync("a", CancellationToken.None);

        Assert.Same(first, second);
        Assert.Equal(["a"], _shipped);
        Assert.Empty(_asked);
        Assert.Equal(0, cache.Builds);
        Assert.Equal(1, cache.ApplicationBuilds);
    }

    [Fact]
    public async Task GetApplicationAsync_ApplicationChanged_ShowsTheChange()
    {
        var cache = Cache();
        var before = await cache.GetApplicationAsync("b", CancellationToken.None);

        _current = View(2, _current.Status.Applications["a"], Application("b", ApplicationState.Unhealthy)) with { Applications = _current.Applications };
        _changedAt["b"] = 2;
        var after = await cache.GetApplicationAsync("b", CancellationToken.None);

        Assert.Equal(ApplicationState.Running, before?.Status);
        Assert.Equal(ApplicationState.Unhealthy, after?.Status);
        Assert.Equal(["b", "b"], _shipped);
    }

    [Fact]
    public async Task GetApplicationAsync_NoSuchApplication_Null()
    {
        Assert.Null(await Cache().GetApplicationAsync("nothing", CancellationToken.None));
    }

    [Fact]
    public async Task GetApplicationAsync_WholeViewBuiltFromTheSameObjects_SharesItsDetails()
    {
        var cache = Cache();
        var view = await cache.GetAsync(CancellationToken.None);

        var a = await cache.GetApplicationAsync("a", CancellationToken.None);

        Assert.Same(view.Applications["a"], a);
    }

    [Fact]
    public async Task GetAsync_NothingChanged_ReturnsTheSameViewBuiltOnce()
    {
        var cache = Cache();

        var first = await cache.GetAsync(CancellationToken.None);
        var second = await cache.GetAsync(CancellationToken.None);

        Assert.Same(first, second);
        Assert.Same(first.Json, second.Json);
        Assert.Equal(1, cache.Builds);
        Assert.Equal(1, _asked[1]);
    }

    [Fact]
    public async Task GetAsync_ControllerVersionMoved_ShowsTheChangeInTheNextRead()
    {
        var cache = Cache();
        var before = await cache.GetAsync(CancellationToken.None);

        _current = View(2, Application("a", ApplicationState.Running), Application("b", ApplicationState.Unhealthy), Application("c", ApplicationState.Deploying));
        var after = await cache.GetAsync(CancellationToken.None);

        Assert.Equal(ApplicationState.Running, before.Applications["b"].Status);
        Assert.Equal(ApplicationState.Unhealthy, after.Applications["b"].Status);
        Assert.Equal(new[] { "a", "b", "c" }, after.Applications.Keys);
        Assert.Contains("\"c\"", Encoding.UTF8.GetString(after.Json), StringComparison.Ordinal);
        Assert.Equal(2, cache.Builds);
    }

    [Fact]
    public async Task GetAsync_OneApplicationReplaced_RebuildsThatOneAndKeepsTheOthersDetails()
    {
        var cache = Cache();
        var before = await cache.GetAsync(CancellationToken.None);

        // The controller replaces the status object of the application that changed only; the others are the same objects.
        var a = _current.Status.Applications["a"];
        _current = View(2, a, Application("b", ApplicationState.Unhealthy)) with { Applications = _current.Applications };
        var after = await cache.GetAsync(CancellationToken.None);

        Assert.Same(before.Applications["a"], after.Applications["a"]);
        Assert.NotSame(before.Applications["b"], after.Applications["b"]);
        Assert.Equal(ApplicationState.Unhealthy, after.Applications["b"].Status);
    }

    [Fact]
    public async Task GetAsync_SpecReplacedUnderTheSameStatus_RebuildsThatApplication()
    {
        var cache = Cache();
        var before = await cache.GetAsync(CancellationToken.None);

        var specs = _current.Applications.Select(s => s.Name == "a" ? s with { Config = """{"name":"a","route_prefix":"/a"}""" } : s).ToArray();
        _current = _current with { Version = 2, Applications = specs };
        var after = await cache.GetAsync(CancellationToken.None);

        Assert.Null(before.Applications["a"].DeployedAppConfig);
        Assert.Equal("/a", after.Applications["a"].DeployedAppConfig?.GetProperty("route_prefix").GetString());
        Assert.Same(before.Applications["b"], after.Applications["b"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Json_AssembledFromEachApplicationsPart_IsWhatSerializingTheDetailsWrites(int applications)
    {
        _current = View(1, Enumerable.Range(0, applications).Select(i => Application($"app-{i}", ApplicationState.Running)).ToArray());
        var view = await Cache().GetAsync(CancellationToken.None);
        var gateway = new ServeGatewayOptions();

        var serialized = JsonSerializer.SerializeToUtf8Bytes(new ServeDetails
        {
            HttpOptions = new HttpOptionsDetails(gateway.Host, gateway.Port, gateway.RequestTimeout?.TotalSeconds),
            Applications = view.Applications,
        }, AdminJson.Options);

        Assert.Equal(Encoding.UTF8.GetString(serialized), Encoding.UTF8.GetString(view.Json));
    }

    private static StatusView View(long version, params ApplicationStatus[] applications) => new()
    {
        Version = version,
        Status = new ServeStatus { Applications = applications.ToDictionary(a => a.Name) },
        Applications = applications.Select(a => new ApplicationSpec { Name = a.Name, IngressDeployment = "Ingress", Deployments = [Spec(a.Name)] }).ToArray(),
    };

    private static DeploymentSpec Spec(string application) => new()
    {
        Application = application,
        TypeName = "Ingress",
        Arguments = [],
        Options = new DeploymentOptions { Name = "Ingress", NumReplicas = 2 },
        CodeVersion = "1",
    };

    private static ApplicationStatus Application(string name, ApplicationState state) => new()
    {
        Name = name,
        State = state,
        IngressDeployment = "Ingress",
        Deployments = new Dictionary<string, DeploymentStatus>
        {
            ["Ingress"] = new()
            {
                Name = "Ingress",
                State = state == ApplicationState.Running ? DeploymentState.Healthy : DeploymentState.Unhealthy,
                TargetReplicas = 2,
                RunningReplicas = 2,
                Replicas = [new ReplicaStatus { ReplicaId = $"{name}/Ingress/1", State = ReplicaState.Running, Silo = "S1" }],
            },
        },
    };
}
