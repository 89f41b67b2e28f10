using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;
using Serve.Deployments;
using Serve.Placement;
using Serve.Replicas;

namespace Serve.Tests.Deployments;

public sealed class StartFailureClassifierTests
{
    public static TheoryData<Exception, string> Causes => new()
    {
        { new SiloFullException("S127.0.0.1:1:1", "needs 1 of 'gpu', 0 free"), nameof(StartFailureCause.SiloFull) },
        { new SiloUnavailableException("The target silo became unavailable"), nameof(StartFailureCause.Unreachable) },
        { new SiloNotPlaceableException("S127.0.0.1:1:1", "Silo S127.0.0.1:1:1 is not yet known to host replicas here"), nameof(StartFailureCause.Unreachable) },
        { new ConnectionFailedException("Unable to connect"), nameof(StartFailureCause.Unreachable) },
        { new OperationCanceledException("called off"), nameof(StartFailureCause.Cancelled) },
        { new TaskCanceledException(), nameof(StartFailureCause.Cancelled) },
        // What the replica answers: its deployment's code's failure, or Serve's diagnosis, as a ServeException.
        { new ServeException("System.InvalidOperationException: MODEL_HOME is not set"), nameof(StartFailureCause.Replica) },
        { new ReplicaNotRunningException("r"), nameof(StartFailureCause.Replica) },
        // The deployment's own bound on the answer, and errors of the call itself: no replica said anything.
        { new TimeoutException("did not answer its start within 610 s"), nameof(StartFailureCause.Unanswered) },
        { new OrleansException("No active nodes are compatible with grain"), nameof(StartFailureCause.Unanswered) },
    };

    [Theory]
    [MemberData(nameof(Causes))]
    public void Cause_Exception_TheCauseItNames(Exception error, string expected) =>
        Assert.Equal(expected, StartFailureClassifier.Cause(error).ToString());

    [Theory]
    [InlineData(nameof(StartFailureCause.Replica), nameof(StartFailure.Constructor))]
    [InlineData(nameof(StartFailureCause.Unanswered), nameof(StartFailure.Constructor))]
    [InlineData(nameof(StartFailureCause.Cancelled), nameof(StartFailure.Constructor))]
    [InlineData(nameof(StartFailureCause.SiloFull), nameof(StartFailure.SiloFull))]
    [InlineData(nameof(StartFailureCause.Unreachable), nameof(StartFailure.Unreachable))]
    public void Failure_Cause_WhatTheReconcilerIsTold(string cause, string expected) =>
        Assert.Equal(expected, StartFailureClassifier.Failure(Enum.Parse<StartFailureCause>(cause)).ToString());

    [Theory]
    [InlineData(nameof(StartFailureCause.Replica), LogLevel.Information)]
    [InlineData(nameof(StartFailureCause.Unanswered), LogLevel.Warning)]
    [InlineData(nameof(StartFailureCause.SiloFull), LogLevel.Information)]
    [InlineData(nameof(StartFailureCause.Unreachable), LogLevel.Debug)]
    [InlineData(nameof(StartFailureCause.Cancelled), LogLevel.Debug)]
    public void Level_Cause_OnlyAnUnansweredStartIsTheDeploymentsWarning(string cause, LogLevel expected) =>
        Assert.Equal(expected, StartFailureClassifier.Level(Enum.Parse<StartFailureCause>(cause)));
}
