using Microsoft.Extensions.Logging;
using Serve.Deployments;

namespace Serve.Tests.Deployments;

public sealed class StoppingSiloFailureTests
{
    [Theory]
    [InlineData(LogLevel.Warning)]
    [InlineData(LogLevel.Error)]
    public void Level_SiloNotStopping_TheUsualLevel(LogLevel usual) => Assert.Equal(usual, StoppingSiloFailure.Level(usual, siloStopping: false));

    [Theory]
    [InlineData(LogLevel.Warning)]
    [InlineData(LogLevel.Error)]
    public void Level_SiloStopping_Debug(LogLevel usual) => Assert.Equal(LogLevel.Debug, StoppingSiloFailure.Level(usual, siloStopping: true));
}
