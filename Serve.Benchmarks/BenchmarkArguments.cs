using System.Globalization;

namespace Serve.Benchmarks;

/// <summary>
/// A benchmark mode's command line, as every mode reads it: <c>--option value</c> pairs and bare <c>--switch</c>es, each
/// read by its type. A mistake (an option the mode does not take, one given twice or without its value, a value that is
/// not what the option takes) is a <see cref="BenchmarkUsageException"/> naming the option and the value, which the
/// program prints with the mode's usage before it exits with 2; nothing has started by then.
/// </summary>
internal sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _switches;

    private BenchmarkArguments(Dictionary<string, string> values, HashSet<string> switches)
    {
        _values = values;
        _switches = switches;
    }

    /// <summary>
    /// Splits <paramref name="args"/> into the mode's <paramref name="options"/> (each followed by its value) and
    /// <paramref name="switches"/>; anything else is refused. A value that starts with <c>--</c> is the next option, so
    /// the one before it has none.
    /// </summary>
    public static BenchmarkArguments Parse(ReadOnlySpan<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string>? switches = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (switches?.Contains(name) == true)
            {
                if (!given.Add(name))
                {
                    throw new BenchmarkUsageException($"{name} is given twice.");
                }
                continue;
            }
            if (!options.Contains(name))
            {
                throw new BenchmarkUsageException(name.StartsWith("--", StringComparison.Ordinal)
                    ? $"Unknown option '{name}'; this mode takes {string.Join(", ", options.Concat(switches ?? []))}."
                    : $"Unexpected '{name}': options are written --name value.");
            }
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new BenchmarkUsageException($"{name} needs a value.");
            }
            if (!values.TryAdd(name, args[++i]))
            {
                throw new BenchmarkUsageException($"{name} is given twice.");
            }
        }
        return new BenchmarkArguments(values, given);
    }

    /// <summary>Whether the switch <paramref name="name"/> was given.</summary>
    public bool Has(string name) => _switches.Contains(name);

    /// <summary>The value of <paramref name="option"/> as written; null when not given.</summary>
    public string? Text(string option) => _values.GetValueOrDefault(option);

    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>; <paramref name="fallback"/> when not given.</summary>
    public int Int(string option, int fallback, int minimum = 1, int maximum = int.MaxValue) =>
        Text(option) is { } value ? ParseInt(option, value, value, minimum, maximum) : fallback;

    /// <summary>A whole number from <paramref name="minimum"/>; <paramref name="fallback"/> when not given.</summary>
    public long Long(string option, long fallback, long minimum = 1)
    {
        if (Text(option) is not { } value)
        {
            return fallback;
        }
        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new BenchmarkUsageException($"{option}: '{value}' is not a whole number of at least {minimum}.");
    }

    /// <summary>A finite number above <paramref name="above"/>; <paramref name="fallback"/> when not given.</summary>
    public double Number(string option, double fallback, double above = 0)
    {
        if (Text(option) is not { } value)
        {
            return fallback;
        }
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && number > above
            ? number
            : throw new BenchmarkUsageException($"{option}: '{value}' is not a number above {above.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>A positive number of seconds (fractions allowed); <paramref name="fallback"/> when not given.</summary>
    public TimeSpan Seconds(string option, TimeSpan fallback) =>
        Text(option) is null ? fallback : TimeSpan.FromSeconds(Number(option, 0));

    /// <summary>A positive number of milliseconds (fractions allowed); <paramref name="fallback"/> when not given.</summary>
    public TimeSpan Milliseconds(string option, TimeSpan fallback) =>
        Text(option) is null ? fallback : TimeSpan.FromMilliseconds(Number(option, 0));

    /// <summary>Whole numbers of at least <paramref name="minimum"/>, separated by commas; <paramref name="fallback"/> when not given.</summary>
    public int[] Ints(string option, int[] fallback, int minimum = 1) =>
        Text(option) is { } value ? value.Split(',').Select(item => ParseInt(option, value, item, minimum, int.MaxValue)).ToArray() : fallback;

    /// <summary>One of <paramref name="choices"/>; <paramref name="fallback"/> when not given.</summary>
    public string OneOf(string option, string fallback, params string[] choices)
    {
        if (Text(option) is not { } value)
        {
            return fallback;
        }
        return choices.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new BenchmarkUsageException($"{option}: '{value}' is not one of {string.Join(", ", choices)}.");
    }

    /// <summary>Some of <paramref name="choices"/>, separated by commas; null when not given.</summary>
    public string[]? SomeOf(string option, IReadOnlyCollection<string> choices)
    {
        if (Text(option) is not { } value)
        {
            return null;
        }
        var chosen = value.Split(',');
        var unknown = chosen.Where(c => !choices.Contains(c)).ToList();
        return unknown.Count == 0
            ? chosen
            : throw new BenchmarkUsageException($"{option}: {string.Join(", ", unknown.Select(u => $"'{u}'"))} in '{value}' {(unknown.Count == 1 ? "is" : "are")} not one of {string.Join(", ", choices)}.");
    }

    private static int ParseInt(string option, string value, string item, int minimum, int maximum)
    {
        if (int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum)
        {
            return number;
        }
        var range = maximum == int.MaxValue ? $"of at least {minimum}" : $"from {minimum} to {maximum}";
        return item == value
            ? throw new BenchmarkUsageException($"{option}: '{value}' is not a whole number {range}.")
            : throw new BenchmarkUsageException($"{option}: '{item}' in '{value}' is not a whole number {range}.");
    }
}
