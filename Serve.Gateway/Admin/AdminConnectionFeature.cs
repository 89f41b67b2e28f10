namespace Serve.Admin;

/// <summary>Set on every connection accepted by the admin API's listener: how a request is known to have come in on the admin port.</summary>
internal sealed class AdminConnectionFeature
{
    public static readonly AdminConnectionFeature Instance = new();

    private AdminConnectionFeature()
    {
    }
}
