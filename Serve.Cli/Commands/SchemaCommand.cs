using System.CommandLine;
using System.Text.Json;
using Serve.Configuration.Schema;

namespace Serve.Cli.Commands;

/// <summary><c>serve schema</c>: writes the JSON Schema of config files, for editors' completion and checks, or the README's tables of keys.</summary>
internal static class SchemaCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON Schema of config files as <c>serve schema</c> writes it.</summary>
    public static string JsonSchema() => ConfigSchema.ToJsonSchema().ToJsonString(Indented) + Environment.NewLine;

    public static Command Create(CliOptions options)
    {
        var markdown = new Option<bool>("--markdown") { Description = "Write the tables of every key (as in the README) instead of the JSON Schema." };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var command = new Command("schema", "Write the JSON Schema of config files (for editors: `# yaml-language-server: $schema=serve.schema.json`), or the tables of every key.")
        {
            markdown, output,
        };
        options.SetAction(command, async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(markdown) ? ConfigSchemaMarkdown.Write() + Environment.NewLine : JsonSchema();
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, text, cancellationToken);
                await options.Console.Out.WriteLineAsync($"Wrote {Path.GetFullPath(file)}.");
            }
            else
            {
                await options.Console.Out.WriteAsync(text);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
