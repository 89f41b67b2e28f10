using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans.Storage;

namespace Serve.Storage;

/// <summary>
/// How the controller's and deployments' state is stored (Redis grain storage): plain JSON of the declared state types,
/// with no type names, so whoever can write to the store cannot choose which types a silo builds when it reads.
/// State written by the previous serializer (Orleans' JSON, with <c>$type</c> names) is still read: its type names and
/// reference ids are dropped and the plain shape left is read as the declared type, as before; the next write stores it
/// in the new form.
/// </summary>
internal sealed class ServeStateSerializer : IGrainStorageSerializer
{
    public static readonly ServeStateSerializer Instance = new();

    private static readonly JsonSerializerOptions Options = new()
    {
        // Computed properties (a spec's Id, Name) are derived, not stored.
        IgnoreReadOnlyProperties = true,
        PropertyNameCaseInsensitive = true,
    };

    public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input, Options);

    public T? Deserialize<T>(BinaryData input)
    {
        var node = JsonNode.Parse(input.ToMemory().Span, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        if (node is JsonObject root && LegacyJsonState.IsLegacy(root))
        {
            node = LegacyJsonState.ToPlain(root);
        }
        return node.Deserialize<T>(Options);
    }
}
