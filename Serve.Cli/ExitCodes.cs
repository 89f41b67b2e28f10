namespace Serve.Cli;

/// <summary>The CLI's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Serve refused or failed: an invalid config, an unknown application, DEPLOY_FAILED, a wait that timed out.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown command or option, missing argument, a file that does not exist.</summary>
    public const int Usage = 2;

    /// <summary>The admin API could not be reached, or refused the token.</summary>
    public const int Unreachable = 3;
}
