using System.Net.Http.Json;
using Serve.Cli;
using Serve.Tests.Cli;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Cluster;

/// <summary>
/// The serve CLI against a cluster of processes set up as the README's cluster section says: a gateway
/// (<c>Serve.Gateway.dll</c>, no replicas) and two workers (<c>Serve.Silo.dll</c>), all given the user's assembly by
/// <c>Serve__Assemblies__0</c>.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class CliClusterTests(ProcessClusterFixture cluster)
{
    [Fact]
    public async Task Deploy_ConfigImportingTheUsersAssembly_RunsOnWorkersAndAnswersThroughTheGateway()
    {
        await cluster.EnsureAllRunningAsync();
        await cluster.DeleteIfPresentAsync("cli-cluster");
        var admin = cluster.Gateway.AdminAddress!.ToString();
        var file = Path.Combine(Directory.CreateTempSubdirectory("serve-cli-cluster-").FullName, "serve.yaml");
        await File.WriteAllTextAsync(file, """
            applications:
              - name: cli-cluster
                route_prefix: /cli-cluster
                import_path: Serve.Tests:ConfigApps.Echo
                deployments:
                  - {name: EchoIngress, num_replicas: 2}
            """);

        var deploy = await RunCliAsync("deploy", file, "--wait", "--address", admin);

        Assert.True(deploy.ExitCode == ExitCodes.Ok, $"serve deploy exited {deploy.ExitCode}: {deploy.Error}{Environment.NewLine}{cluster.RecentOutputs()}");
        await cluster.Gateway.WaitForRouteAsync("/cli-cluster", ProcessClusterFixture.StartTimeout);
        using var http = new HttpClient { BaseAddress = cluster.Gateway.BaseAddress };
        var reply = await http.GetFromJsonAsync<EchoReply>("/cli-cluster/hello");
        Assert.Equal(("from-config", "/hello"), (reply!.Label, reply.Path));
        Assert.Contains(reply.Silo, cluster.Workers.Select(w => w.SiloAddress));
        var status = await RunCliAsync("status", "--address", admin);
        Assert.Equal(ExitCodes.Ok, status.ExitCode);
        Assert.Contains("cli-cluster", status.Out, StringComparison.Ordinal);

        var delete = await RunCliAsync("delete", "cli-cluster", "--address", admin);
        Assert.Equal(ExitCodes.Ok, delete.ExitCode);
    }

    private static async Task<CliResult> RunCliAsync(params string[] args)
    {
        var (output, error) = (new CapturedWriter(), new CapturedWriter());
        var exit = await ServeCli.RunAsync(args, new CliConsole { Out = output, Error = error, Environment = _ => null }, CancellationToken.None);
        return new CliResult(exit, output.Text, error.Text);
    }
}
