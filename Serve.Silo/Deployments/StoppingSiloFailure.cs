using Microsoft.Extensions.Logging;

namespace Serve.Deployments;

/// <summary>
/// How loudly a control-plane grain (the controller, a deployment) logs a call of its own that failed, by whether its
/// silo had begun its graceful stop when the failure came back (the silo's ledger says so from the first step of the
/// stop). Once it has, the failure is what the stop does: the silo's grains are going, and when the whole cluster stops
/// at once (<c>docker compose down</c>) so is every grain they call. The activation that takes over elsewhere re-applies
/// and reconciles everything at its start, so nothing is left for the operator to do: Debug. On a silo that is not
/// stopping the failure keeps its usual level.
/// </summary>
internal static class StoppingSiloFailure
{
    /// <param name="usual">The level on a silo that is not stopping.</param>
    /// <param name="siloStopping">The grain's silo had begun its graceful stop when the failure came back.</param>
    public static LogLevel Level(LogLevel usual, bool siloStopping) => siloStopping ? LogLevel.Debug : usual;
}
