using Microsoft.Extensions.Logging;

namespace Serve.Hosting;

/// <summary>What the gateway says at start when it lowers a port's connection bound to fit the open-file limit.</summary>
internal static partial class ConnectionBoundLog
{
    [LoggerMessage(EventId = ServeEvents.HttpConnectionsFitOpenFiles, Level = LogLevel.Warning,
        Message = "{Port} holds at most {Bound} connections, not Serve:Http:MaxConnections' {Configured}: this process may open {OpenFiles} files (ulimit -n), which must also hold the gateway's other ports and the silo's own connections. Raise the limit (ulimit -n, systemd LimitNOFILE=, docker --ulimit nofile=) or lower Serve:Http:MaxConnections to at most {Bound}")]
    public static partial void Fitted(ILogger logger, string port, long bound, long configured, long openFiles);
}
