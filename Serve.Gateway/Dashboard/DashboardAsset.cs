namespace Serve.Dashboard;

/// <summary>One file of the dashboard, embedded in the gateway's assembly.</summary>
internal sealed record DashboardAsset(byte[] Content, string ContentType);
