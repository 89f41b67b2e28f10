using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Serve.Configuration;

/// <summary>
/// Reads a config file (YAML, or JSON, which YAML includes) into a <see cref="ConfigNode"/> tree, resolving plain
/// scalars by the YAML 1.2 core schema; and writes a tree back as block-style YAML.
/// </summary>
internal static partial class ConfigYaml
{
    /// <summary>
    /// The tree of <paramref name="text"/>, or null when it is not YAML or is past the reader's bounds on nesting
    /// and size (the problem, naming its line, is in <paramref name="problems"/>).
    /// </summary>
    public static ConfigNode? Read(string text, ConfigProblems problems) => ConfigYamlReader.Read(text, problems);

    /// <summary>A plain scalar's value under the YAML 1.2 core schema.</summary>
    public static ConfigNode Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return ConfigNode.Null;
            case "true" or "True" or "TRUE":
                return ConfigNode.Of(true);
            case "false" or "False" or "FALSE":
                return ConfigNode.Of(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return ConfigNode.Of(double.PositiveInfinity);
            case "-.inf" or "-.Inf" or "-.INF":
                return ConfigNode.Of(double.NegativeInfinity);
            case ".nan" or ".NaN" or ".NAN":
                return ConfigNode.Of(double.NaN);
        }
        if (DecimalInteger().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? ConfigNode.Of(integer)
                : ConfigNode.Of(double.Parse(text, CultureInfo.InvariantCulture));
        }
        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return ConfigNode.Of(hex);
        }
        if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && text.Skip(2).All(c => c is >= '0' and <= '7'))
        {
            try
            {
                return ConfigNode.Of(System.Convert.ToInt64(text[2..], 8));
            }
            catch (OverflowException)
            {
                return ConfigNode.Of(text);
            }
        }
        if (Float().IsMatch(text))
        {
            return ConfigNode.Of(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return ConfigNode.Of(text);
    }

    /// <summary>Block-style YAML of <paramref name="node"/>; strings are quoted only where plain text would read back as another type.</summary>
    public static string Write(ConfigNode node)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, ConfigNode node)
    {
        switch (node.Kind)
        {
            case ConfigNodeKind.Mapping:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, node.Entries.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in node.Entries)
                {
                    EmitScalar(emitter, key, quote: Resolve(key).Kind != ConfigNodeKind.String);
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case ConfigNodeKind.Sequence:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, node.Items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in node.Items)
                {
                    Emit(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case ConfigNodeKind.String:
                var text = node.String;
                EmitScalar(emitter, text, quote: Resolve(text).Kind != ConfigNodeKind.String || text.Trim() != text || text.Contains('\n'));
                break;
            default:
                EmitScalar(emitter, ScalarText(node), quote: false);
                break;
        }
    }

    private static void EmitScalar(IEmitter emitter, string text, bool quote) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, quote ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, isPlainImplicit: true, isQuotedImplicit: true));

    private static string ScalarText(ConfigNode node) => node.Kind switch
    {
        ConfigNodeKind.Null => "null",
        ConfigNodeKind.Boolean => (bool)node.Scalar! ? "true" : "false",
        ConfigNodeKind.Integer => node.Integer.ToString(CultureInfo.InvariantCulture),
        _ => node.Number switch
        {
            double.PositiveInfinity => ".inf",
            double.NegativeInfinity => "-.inf",
            double.NaN => ".nan",
            var number => number.ToString("R", CultureInfo.InvariantCulture),
        },
    };

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
