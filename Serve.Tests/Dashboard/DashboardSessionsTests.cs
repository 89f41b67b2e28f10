using Microsoft.Extensions.Time.Testing;
using Serve.Dashboard;

namespace Serve.Tests.Dashboard;

public sealed class DashboardSessionsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void IsValid_NewSession_TrueUntilRemoved()
    {
        var sessions = new DashboardSessions(_time);
        var id = sessions.Create();

        Assert.True(sessions.IsValid(id));
        sessions.Remove(id);
        Assert.False(sessions.IsValid(id));
    }

    [Fact]
    public void IsValid_AfterLifetime_False()
    {
        var sessions = new DashboardSessions(_time);
        var id = sessions.Create();

        _time.Advance(DashboardSessions.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(sessions.IsValid(id));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(sessions.IsValid(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-session")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void IsValid_UnknownOrMalformed_False(string? id) => Assert.False(new DashboardSessions(_time).IsValid(id));

    [Fact]
    public void Create_PastMaxSessions_DropsTheOldest()
    {
        var sessions = new DashboardSessions(_time);
        var first = sessions.Create();
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = sessions.Create();
        for (var i = 2; i < DashboardSessions.MaxSessions; i++)
        {
            sessions.Create();
        }

        var last = sessions.Create();

        Assert.Equal(DashboardSessions.MaxSessions, sessions.Count);
        Assert.False(sessions.IsValid(first));
        Assert.True(sessions.IsValid(second));
        Assert.True(sessions.IsValid(last));
        Assert.NotEqual(second, last);
    }
}
