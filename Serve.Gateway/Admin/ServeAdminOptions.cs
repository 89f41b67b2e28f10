namespace Serve.Hosting;

/// <summary>
/// Options of the admin REST API (<c>/api/serve/...</c>, what the <c>serve</c> CLI talks to), bound from the
/// configuration section <c>Serve:Admin</c> and validated at start.
/// </summary>
public sealed class ServeAdminOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Admin";

    /// <summary>Whether the gateway serves the admin API. Default is true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The address the admin API listens on, on its own port: an IP or <c>localhost</c>. Any address other than
    /// loopback needs a <see cref="Token"/>. Default is <c>127.0.0.1</c>.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The admin API's port, apart from the gateway's HTTP port; 0 picks a free one. Default is 8265, as Ray's dashboard.</summary>
    public int Port { get; set; } = 8265;

    /// <summary>
    /// The bearer token every call must carry (<c>Authorization: Bearer &lt;token&gt;</c>), at least 16 characters;
    /// set it from a secret store or the environment (<c>Serve__Admin__Token</c>). Default is none: the admin API then
    /// answers anyone who reaches it, so it listens on loopback only, and says so at start.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// Host names, besides the addresses it listens on, by which the admin API may be called (the <c>Host</c> header,
    /// port aside), e.g. <c>gateway.internal</c>; <c>*</c> accepts any. Requests naming another host get 403: a web page
    /// can reach a loopback port through a DNS name it controls (DNS rebinding). Always accepted: the listen address,
    /// <c>localhost</c> and loopback addresses when listening on loopback, any address and the machine's name when
    /// listening on all addresses. Default is none.
    /// </summary>
    public IList<string> AllowedHosts { get; set; } = new List<string>();

    /// <summary>
    /// Origins of web pages (<c>https://tools.example.com</c>, or with a port) allowed to call the admin API from a
    /// browser; their requests pass the cross-site check and their responses carry CORS headers. Any other browser
    /// request from another site (by its <c>Origin</c> or <c>Sec-Fetch-Site</c> header) gets 403; requests from the
    /// admin API's own origin and from clients that are not browsers (the serve CLI, curl) always pass. Default is none.
    /// </summary>
    public IList<string> AllowedOrigins { get; set; } = new List<string>();

    /// <summary>
    /// Whether the admin port also serves the web dashboard (<c>/dashboard</c>, behind the same <see cref="Token"/>)
    /// and records the per-second traffic its charts show. Default is true.
    /// </summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>
    /// How many wrong tokens (bearer tokens, or the dashboard's login form) one remote address (an IPv6 address with
    /// its whole /64) may present within a minute; past that its calls get 429 with <c>Retry-After</c>, right token or
    /// not, until the minute ends. Slows guessing the token to a few attempts a minute. 0 turns the limit off. Default
    /// is 10.
    /// </summary>
    public int MaxFailedAuthentications { get; set; } = 10;

    /// <summary>
    /// Most connections the admin API's port holds at once from one remote address (an IPv6 address counting with its
    /// /64), or <c>Serve:Http:MaxConnectionsPerAddress</c> when that is smaller. The CLI and the dashboard open a few; without
    /// it one host's silent connections took the port's whole <c>Serve:Http:MaxConnections</c> and shut the operator out
    /// while the HTTP port served on. 0 for none (operators who all reach it through one proxy). Default is 64.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 64;

    /// <summary>Largest request body accepted (a config file); larger ones get 413. Default is 1 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 1024 * 1024;
}
