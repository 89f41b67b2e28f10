using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>The admin API's JSON: snake_case, as the config file and Ray's REST API; states as Ray names them.</summary>
internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    /// <summary>
    /// Indented JSON of a value moved <paramref name="depth"/> levels down: every line after the first indented that much
    /// more, as the serializer would have written it there. JSON strings never hold a raw line break, so every one is a line's end.
    /// </summary>
    public static byte[] Indent(byte[] json, int depth)
    {
        var indent = depth * Options.IndentSize;
        var lines = json.AsSpan().Count((byte)'\n');
        var moved = new byte[json.Length + lines * indent];
        var at = 0;
        foreach (var b in json)
        {
            moved[at++] = b;
            if (b == (byte)'\n')
            {
                moved.AsSpan(at, indent).Fill((byte)Options.IndentCharacter);
                at += indent;
            }
        }
        return moved;
    }

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
