namespace Serve.Forwarding;

/// <summary>How reading a request body ended.</summary>
internal enum RequestBodyReadStatus
{
    /// <summary>The whole body arrived.</summary>
    Complete,

    /// <summary>The body is, or announced it would be, larger than <see cref="Hosting.ServeGatewayOptions.MaxRequestBodySize"/>.</summary>
    TooLarge,

    /// <summary>The gateway holds its <see cref="Hosting.ServeGatewayOptions.RequestBodyBudget"/> of bodies already.</summary>
    OverBudget,

    /// <summary>Kestrel refused the body (bad chunk syntax, too slow, cut short): the client is told why, with Kestrel's status.</summary>
    Rejected,

    /// <summary>The client went away.</summary>
    ClientGone,
}
