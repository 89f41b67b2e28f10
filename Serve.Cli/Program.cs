using Serve.Cli;

// serve run | deploy | status | config | delete | shutdown | build — see `serve --help`.
return await ServeCli.RunAsync(args, CliConsole.System, CancellationToken.None);
