using Serve.Cli.Commands;

namespace Serve.Tests.Cli;

/// <summary>The line serve run prints for an application whenever it changes.</summary>
public sealed class RunCommandDescribeTests
{
    private static ApplicationStatus App(ApplicationState state, string message, string deploymentMessage) => new()
    {
        Name = "MyApp", State = state, Message = message, IngressDeployment = "Api",
        Deployments = new Dictionary<string, DeploymentStatus>
        {
            ["Api"] = new() { Name = "Api", State = DeploymentState.Updating, TargetReplicas = 1, Message = deploymentMessage },
        },
    };

    [Fact]
    public void Describe_DeployingWithAFailedStart_NamesTheDeploymentsError()
    {
        var line = RunCommand.Describe(App(ApplicationState.Deploying, "", "Replica of 'Api' failed to start, retrying: System.InvalidOperationException: MODEL_HOME is not set"));

        Assert.Equal("MyApp: DEPLOYING (Api 0/1 UPDATING) Api: Replica of 'Api' failed to start, retrying: System.InvalidOperationException: MODEL_HOME is not set", line);
    }

    [Fact]
    public void Describe_DeployFailed_TheApplicationsMessageAlone()
    {
        var line = RunCommand.Describe(App(ApplicationState.DeployFailed, "gave up", "gave up"));

        Assert.Equal("MyApp: DEPLOY_FAILED (Api 0/1 UPDATING) gave up", line);
    }
}
