using System.CommandLine;

namespace Serve.Cli;

/// <summary>The options every command takes: where the admin API is and its token, from the command line or the environment.</summary>
internal sealed class CliOptions(CliConsole console)
{
    public const string DefaultAddress = "http://127.0.0.1:8265";
    public const string AddressVariable = "SERVE_ADDRESS";
    public const string TokenVariable = "SERVE_ADMIN_TOKEN";

    public CliConsole Console { get; } = console;

    public Option<string?> Address { get; } = new("--address", "-a")
    {
        Description = $"The admin API of a Serve gateway. Default: ${AddressVariable}, else {DefaultAddress}.",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"The admin API's bearer token (the gateway's Serve:Admin:Token). Default: ${TokenVariable}.",
        Recursive = true,
    };

    public Uri AddressOf(ParseResult parse)
    {
        var text = parse.GetValue(Address) ?? Console.Environment(AddressVariable) ?? DefaultAddress;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new CliException($"--address: '{text}' must be an http:// or https:// URL, such as {DefaultAddress}.", ExitCodes.Usage);
        }
        return address;
    }

    public string? TokenOf(ParseResult parse) => parse.GetValue(Token) is { Length: > 0 } token ? token : Console.Environment(TokenVariable) is { Length: > 0 } variable ? variable : null;

    public AdminClient ClientOf(ParseResult parse) => new(AddressOf(parse), TokenOf(parse));

    /// <summary>Sets <paramref name="command"/>'s action, reporting a <see cref="CliException"/> as a message and its exit code.</summary>
    public void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (CliException e)
            {
                // Its message may quote the cluster (a deployment's failure, the admin API's answer).
                await Console.Error.WriteLineAsync($"serve {command.Name}: {TerminalText.Printable(e.Message)}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"serve {command.Name}: cancelled.");
                return 130;
            }
        });

    /// <summary>Reads a config file, or standard input for <c>-</c>.</summary>
    public async Task<string> ReadConfigAsync(string path, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            return await Console.In.ReadToEndAsync(cancellationToken);
        }
        if (!File.Exists(path))
        {
            throw new CliException($"the config file '{path}' does not exist.", ExitCodes.Usage);
        }
        return await File.ReadAllTextAsync(path, cancellationToken);
    }
}
