namespace Serve.Tests.Replicas;

/// <summary>A contract whose defaults its class does not repeat, as C# allows.</summary>
public interface IDefaulted
{
    Task<int> AddAsync(int a, int b = 5, CancellationToken cancellationToken = default);

    Task<string> LabelAsync(string text, string suffix = "!");
}
