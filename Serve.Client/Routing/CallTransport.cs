namespace Serve.Routing;

/// <summary>How a router's call reached its replica: the <c>serve.call.transport</c> tag of the handle-call histogram.</summary>
internal enum CallTransport
{
    /// <summary>Not sent: the call ended before a replica took it (queued until its deadline, cancelled, nothing running).</summary>
    None,

    /// <summary>A replica of the router's own silo, called in process: <c>in_process</c>.</summary>
    InProcess,

    /// <summary>A replica on another silo, over that silo's data-plane connection: <c>data_plane</c>.</summary>
    DataPlane,

    /// <summary>A replica on another silo (or any, from an Orleans client), as an Orleans grain call: <c>orleans</c>.</summary>
    Orleans,
}
