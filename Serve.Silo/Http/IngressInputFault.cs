using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Serve.Http;

/// <summary>
/// A request an ingress refused because of what its client sent, told from the exception its handler let out and where
/// it was thrown: a body that is not the JSON the handler reads (400), a body that is not JSON at all by its Content-Type
/// (415), a <see cref="BadHttpRequestException"/> with a 4xx status (that status). Anything else, a handler's own
/// <see cref="JsonException"/> or <see cref="InvalidOperationException"/> included, is no client's fault and stays a 500.
/// </summary>
internal sealed partial record IngressInputFault(int Status, string Detail)
{
    /// <summary>The handler's parameter that could not be bound, when minimal-API binding says so.</summary>
    public string? Parameter { get; init; }

    /// <summary>The JSON path (<c>$.price</c>) or the missing fields to blame, when known.</summary>
    public string? Field { get; init; }

    /// <summary>The line of the body where the JSON went wrong, as System.Text.Json counts it (from 0).</summary>
    public long? LineNumber { get; init; }

    /// <summary>The byte within that line where the JSON went wrong, as System.Text.Json counts it (from 0).</summary>
    public long? BytePositionInLine { get; init; }

    /// <summary>
    /// For a 415: the content types the handler takes; null when the endpoint's own metadata says (minimal-API binding's
    /// refusal), empty when nobody knows.
    /// </summary>
    public IReadOnlyList<string>? Expected { get; init; }

    /// <summary>The JSON types <c>ReadFromJsonAsync</c> reads; what its refusal expects.</summary>
    private static readonly IReadOnlyList<string> Json = ["application/json"];

    /// <summary>The client's mistake <paramref name="error"/> stands for; null when it is the handler's own failure.</summary>
    public static IngressInputFault? From(Exception error) => error switch
    {
        BadHttpRequestException { StatusCode: >= 400 and < 500 } bad => FromBadRequest(bad),
        // The frames are read only for these two types, and only once a request failed: an answered request pays nothing.
        JsonException json when ReadFromJsonOnStack(json, topFrameOnly: false) => FromJson(json),
        InvalidOperationException wrongType when ReadFromJsonOnStack(wrongType, topFrameOnly: true) =>
            new IngressInputFault(StatusCodes.Status415UnsupportedMediaType, wrongType.Message) { Expected = Json },
        _ => null,
    };

    private static IngressInputFault FromBadRequest(BadHttpRequestException error)
    {
        var parameter = ParameterPattern().Match(error.Message) is { Success: true } declared ? declared.Groups["name"].Value : null;
        if (error.InnerException is not JsonException json)
        {
            return new IngressInputFault(error.StatusCode, error.Message) { Parameter = parameter };
        }
        var field = MissingFields(json) ?? (json.Path is { Length: > 1 } path ? path : null);
        return new IngressInputFault(error.StatusCode, $"{error.Message} {json.Message}")
        {
            Parameter = parameter,
            Field = field,
            LineNumber = json.LineNumber,
            BytePositionInLine = json.BytePositionInLine,
        };
    }

    private static IngressInputFault FromJson(JsonException error) =>
        new(StatusCodes.Status400BadRequest, $"The request body could not be read as JSON: {error.Message}")
        {
            Field = MissingFields(error) ?? error.Path,
            LineNumber = error.LineNumber,
            BytePositionInLine = error.BytePositionInLine,
        };

    /// <summary>The required properties System.Text.Json found missing, as one list; null when that is not its complaint.</summary>
    private static string? MissingFields(JsonException error) =>
        MissingPattern().Match(error.Message) is { Success: true } missing
            ? string.Join(", ", missing.Groups["name"].Captures.Select(c => c.Value))
            : null;

    /// <summary>
    /// Whether ASP.NET Core's <c>HttpRequest.ReadFromJsonAsync</c> threw <paramref name="error"/> (<paramref name="topFrameOnly"/>:
    /// its own frame threw it) or it passed through there (System.Text.Json, or a converter, reading the request's body).
    /// </summary>
    internal static bool ReadFromJsonOnStack(Exception error, bool topFrameOnly)
    {
        // Without file and line information: reading the symbols would cost far more than the walk.
        var frames = new StackTrace(error, fNeedFileInfo: false).GetFrames();
        foreach (var frame in frames)
        {
            if (IsRequestJson(frame.GetMethod()?.DeclaringType))
            {
                return true;
            }
            if (topFrameOnly)
            {
                return false;
            }
        }
        return false;
    }

    private static bool IsRequestJson(Type? type)
    {
        // An async method runs as a state machine nested in its type (<ReadFromJsonAsync>d__3), a lambda in a closure (<>c).
        while (type is { IsNested: true } && type.Name.StartsWith('<'))
        {
            type = type.DeclaringType;
        }
        return type == typeof(HttpRequestJsonExtensions);
    }

    // `Failed to read parameter "Item item" from the request body as JSON.`, `Required parameter "int top" was not provided ...`
    [GeneratedRegex("""parameter "(?:[^"]* )?(?<name>[^" ]+)" """, RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();

    // System.Text.Json: `... was missing required properties including: 'name', 'price'.`
    [GeneratedRegex("""missing required properties including: (?:'(?<name>[^']+)'(?:, )?)+""", RegexOptions.CultureInvariant)]
    private static partial Regex MissingPattern();
}
