namespace Serve.Tests.Deployments.Http;

/// <summary>A service the endpoints take by dependency injection.</summary>
public sealed class PriceList
{
    public decimal For(int id) => id * 1.5m;
}
