using Microsoft.AspNetCore.Http;

namespace Serve.Samples.Embeddings;

/// <summary>
/// A rejected request, answered 400 in OpenAI's error shape
/// (<c>{"error": {"message", "type": "invalid_request_error", "param", "code"}}</c>) so OpenAI clients raise it
/// with its message (Python: <c>openai.BadRequestError</c>).
/// </summary>
/// <param name="Message">What was wrong and how to fix it.</param>
/// <param name="Param">The body's field at fault, e.g. <c>input[2]</c>; null when it is the body itself.</param>
/// <param name="Code">OpenAI's machine-readable code where one fits, e.g. <c>model_not_found</c>.</param>
public sealed record ApiError(string Message, string? Param, string? Code = null)
{
    /// <summary>The 400 response.</summary>
    public IResult ToResult() => Results.Json(
        new { error = new { message = Message, type = "invalid_request_error", param = Param, code = Code } },
        statusCode: StatusCodes.Status400BadRequest);
}
