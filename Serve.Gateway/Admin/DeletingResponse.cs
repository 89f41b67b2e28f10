using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>What a <c>DELETE</c> started: the applications now DELETING (they leave the status once their replicas stop).</summary>
internal sealed record DeletingResponse([property: JsonPropertyName("deleting")] IReadOnlyList<string> Deleting);
