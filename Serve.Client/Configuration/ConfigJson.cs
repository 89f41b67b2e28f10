using System.Text;
using System.Text.Json;

namespace Serve.Configuration;

/// <summary>Converts <see cref="ConfigNode"/> trees to and from JSON: args, user configs and stored application configs travel as JSON.</summary>
internal static class ConfigJson
{
    /// <summary>Compact JSON of <paramref name="node"/>; keys keep the file's order, so equal files give equal text.</summary>
    public static string Write(ConfigNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, ConfigNode node)
    {
        switch (node.Kind)
        {
            case ConfigNodeKind.Null:
                writer.WriteNullValue();
                break;
            case ConfigNodeKind.Boolean:
                writer.WriteBooleanValue((bool)node.Scalar!);
                break;
            case ConfigNodeKind.Integer:
                writer.WriteNumberValue(node.Integer);
                break;
            case ConfigNodeKind.Float when double.IsFinite(node.Number):
                writer.WriteNumberValue(node.Number);
                break;
            case ConfigNodeKind.Float:
                // JSON has no infinity or NaN: they travel as YAML spells them.
                writer.WriteStringValue(node.Number is double.NaN ? ".nan" : node.Number > 0 ? ".inf" : "-.inf");
                break;
            case ConfigNodeKind.String:
                writer.WriteStringValue(node.String);
                break;
            case ConfigNodeKind.Mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in node.Entries)
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case ConfigNodeKind.Sequence:
                writer.WriteStartArray();
                foreach (var item in node.Items)
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
        }
    }

    /// <summary>The tree of a JSON value.</summary>
    public static ConfigNode Read(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ConfigNode.Mapping(element.EnumerateObject().Select(p => new KeyValuePair<string, ConfigNode>(p.Name, Read(p.Value)))),
        JsonValueKind.Array => ConfigNode.Sequence(element.EnumerateArray().Select(Read)),
        JsonValueKind.String => ConfigNode.Of(element.GetString()),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? ConfigNode.Of(integer) : ConfigNode.Of(element.GetDouble()),
        JsonValueKind.True => ConfigNode.Of(true),
        JsonValueKind.False => ConfigNode.Of(false),
        _ => ConfigNode.Null,
    };

    /// <summary>The tree of a JSON text.</summary>
    public static ConfigNode Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Read(document.RootElement);
    }
}
