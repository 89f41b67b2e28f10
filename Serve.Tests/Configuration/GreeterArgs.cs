namespace Serve.Tests.Configuration;

/// <summary>The args of <see cref="ConfigApps.Greeter"/>.</summary>
public sealed record GreeterArgs
{
    public string Greeting { get; init; } = "Hello";
}
