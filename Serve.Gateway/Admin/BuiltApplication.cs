using System.Text.Json;
using Serve.Grains;

namespace Serve.Admin;

/// <summary>One application's admin details with the status and spec they were built from (immutable, compared by reference).</summary>
internal sealed class BuiltApplication(ApplicationStatus status, ApplicationSpec? spec, ApplicationDetails details)
{
    /// <summary>Where it sits in the whole body: the value of a key of <c>applications</c>, two levels down.</summary>
    private const int Depth = 2;

    private byte[]? _json;

    public ApplicationStatus Status => status;

    public ApplicationSpec? Spec => spec;

    public ApplicationDetails Details => details;

    /// <summary>The details as JSON indented for their place in <c>GET /api/serve/applications</c>; serialized by the first caller that needs it.</summary>
    public byte[] Json => _json ??= AdminJson.Indent(JsonSerializer.SerializeToUtf8Bytes(details, AdminJson.Options), Depth);
}
