using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Serve.Benchmarks.Http;

/// <summary>Runs Debian's wrk against a URL and reads its summary.</summary>
internal static partial class Wrk
{
    /// <summary>A wrk script, written once, that makes every request a POST of <paramref name="bytes"/> bytes of text.</summary>
    public static string PostScript(int bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"serve-bench-post-{bytes}.lua");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, $"wrk.method = \"POST\"\nwrk.body = string.rep(\"a\", {bytes})\nwrk.headers[\"Content-Type\"] = \"text/plain\"\n");
        }
        return path;
    }

    /// <summary>
    /// A wrk script, written once, that makes every request a POST of <paramref name="bytes"/> bytes of text in one chunk
    /// (Transfer-Encoding: chunked, no Content-Length), the whole request in one write. wrk's own format always adds a
    /// Content-Length, so the request is built here.
    /// </summary>
    public static string ChunkedPostScript(int bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"serve-bench-chunked-{bytes}.lua");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, $$"""
                local body = string.rep("a", {{bytes}})
                local raw
                init = function(args)
                  raw = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. (wrk.headers["Host"] or wrk.host) .. "\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .. string.format("%x", #body) .. "\r\n" .. body .. "\r\n0\r\n\r\n"
                end
                request = function()
                  return raw
                end
                """);
        }
        return path;
    }

    public static async Task<WrkResult> RunAsync(string scenario, string url, int connections, TimeSpan duration, int round, string? script = null)
    {
        var scriptArgument = script is null ? "" : $"-s {script} ";
        var start = new ProcessStartInfo("wrk", $"-t2 -c{connections} -d{(int)duration.TotalSeconds}s --latency {scriptArgument}{url}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start; install it with `apt-get install wrk`.");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {await wrk.StandardError.ReadToEndAsync()}{output}");
        }
        var errors = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        errors += SocketErrors().Matches(output).Sum(e => long.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture));
        return new WrkResult(
            scenario,
            connections,
            round,
            double.Parse(Rate().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(output, "50"),
            Percentile(output, "99"),
            errors);
    }

    private static double Percentile(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s+{percentile}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rate();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();
}
