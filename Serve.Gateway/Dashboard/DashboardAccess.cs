namespace Serve.Dashboard;

/// <summary>Who may reach a dashboard endpoint; endpoint metadata read by <see cref="DashboardGuard"/>.</summary>
internal enum DashboardAccess
{
    /// <summary>Data: anyone signed in; others get 401.</summary>
    SignedIn,

    /// <summary>The page itself: anyone signed in; others are sent to the login form.</summary>
    Page,

    /// <summary>The login form, logout and static assets: no session needed (the Host and cross-site checks still apply).</summary>
    Public,
}
