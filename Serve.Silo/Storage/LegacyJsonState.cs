using System.Text.Json.Nodes;

namespace Serve.Storage;

/// <summary>
/// Reads state stored by Orleans' default grain storage serializer (Newtonsoft JSON with <c>TypeNameHandling.All</c>
/// and preserved references) as plain JSON: <c>$type</c> and <c>$id</c> are dropped, collections wrapped in
/// <c>$values</c> are unwrapped, and <c>$ref</c> is replaced by a copy of the object it names. The type names are
/// never looked at: the declared state type decides what is built.
/// </summary>
internal static class LegacyJsonState
{
    public static bool IsLegacy(JsonObject root) => root.ContainsKey("$type") || root.ContainsKey("$id");

    public static JsonNode? ToPlain(JsonNode? node) => ToPlain(node, new Dictionary<string, JsonNode?>(StringComparer.Ordinal));

    private static JsonNode? ToPlain(JsonNode? node, Dictionary<string, JsonNode?> byId)
    {
        switch (node)
        {
            case JsonObject obj when obj.TryGetPropertyValue("$ref", out var reference):
                return byId.TryGetValue(reference?.ToString() ?? "", out var target) ? target?.DeepClone() : null;
            case JsonObject obj when obj.TryGetPropertyValue("$values", out var values):
                var unwrapped = ToPlain(values, byId);
                Remember(obj, unwrapped, byId);
                return unwrapped;
            case JsonObject obj:
                var plain = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (name is not ("$type" or "$id"))
                    {
                        plain[name] = ToPlain(value, byId);
                    }
                }
                Remember(obj, plain, byId);
                return plain;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => ToPlain(item, byId))]);
            default:
                return node?.DeepClone();
        }
    }

    private static void Remember(JsonObject original, JsonNode? plain, Dictionary<string, JsonNode?> byId)
    {
        if (original.TryGetPropertyValue("$id", out var id) && id is not null)
        {
            byId[id.ToString()] = plain;
        }
    }
}
