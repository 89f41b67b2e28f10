using System.Buffers;
using System.Text.Json;

namespace Serve.Admin;

/// <summary>
/// The admin API's status at one controller snapshot version: every application's details, and the whole
/// <c>GET /api/serve/applications</c> body, put together on first use from each application's JSON (serialized once per
/// application and reused by later views while that application does not change). Immutable once built, so any number of
/// calls share it.
/// </summary>
internal sealed class AdminView
{
    private readonly HttpOptionsDetails _http;
    private byte[]? _json;

    public AdminView(long version, HttpOptionsDetails http, IReadOnlyDictionary<string, BuiltApplication> built)
    {
        Version = version;
        _http = http;
        Built = built;
        Applications = built.ToDictionary(b => b.Key, b => b.Value.Details, StringComparer.Ordinal);
    }

    /// <summary>The controller snapshot version it shows.</summary>
    public long Version { get; }

    /// <summary>Every application by name, in name order.</summary>
    public IReadOnlyDictionary<string, ApplicationDetails> Applications { get; }

    /// <summary>What each application's details were built from, so the next view reuses those that did not change.</summary>
    public IReadOnlyDictionary<string, BuiltApplication> Built { get; }

    /// <summary>
    /// The body of <c>GET /api/serve/applications</c>, UTF-8 JSON, byte for byte what serializing a <see cref="ServeDetails"/>
    /// gives; at ten thousand replicas that is megabytes, so the applications' parts are copied, not serialized again.
    /// </summary>
    public byte[] Json => _json ??= Write();

    private byte[] Write()
    {
        var buffer = new ArrayBufferWriter<byte>(Built.Values.Sum(b => b.Json.Length + 64) + 1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = AdminJson.Options.WriteIndented,
            IndentCharacter = AdminJson.Options.IndentCharacter,
            IndentSize = AdminJson.Options.IndentSize,
            NewLine = AdminJson.Options.NewLine,
            Encoder = AdminJson.Options.Encoder,
        }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(ServeDetails.HttpOptionsName);
            JsonSerializer.Serialize(writer, _http, AdminJson.Options);
            writer.WritePropertyName(ServeDetails.ApplicationsName);
            writer.WriteStartObject();
            foreach (var (name, built) in Built)
            {
                writer.WritePropertyName(name);
                writer.WriteRawValue(built.Json, skipInputValidation: true);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
