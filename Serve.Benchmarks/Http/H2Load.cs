using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Serve.Benchmarks.Http;

/// <summary>Runs nghttp2's h2load (HTTP/2 with prior knowledge) against a gRPC method and reads its summary.</summary>
internal static partial class H2Load
{
    /// <param name="connections">HTTP/2 connections.</param>
    /// <param name="streams">Concurrent calls on each connection.</param>
    /// <param name="body">A file holding the request: one length-prefixed gRPC message.</param>
    public static async Task<H2LoadResult> RunAsync(string scenario, string url, int connections, int streams, TimeSpan duration, int round, string body)
    {
        var start = new ProcessStartInfo("h2load")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            $"-c{connections}", $"-m{streams}", $"-t{Math.Min(connections, 2)}", $"-D{(int)duration.TotalSeconds}", "-d", body,
            "-H", "content-type: application/grpc", "-H", "te: trailers", url,
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var h2load = Process.Start(start) ?? throw new InvalidOperationException("h2load did not start; install it with `apt-get install nghttp2-client`.");
        var output = await h2load.StandardOutput.ReadToEndAsync();
        await h2load.WaitForExitAsync();
        if (h2load.ExitCode != 0 || !Rate().IsMatch(output))
        {
            throw new InvalidOperationException($"h2load failed ({h2load.ExitCode}): {await h2load.StandardError.ReadToEndAsync()}{output}");
        }
        var requests = Requests().Match(output);
        var failed = long.Parse(requests.Groups["failed"].Value, CultureInfo.InvariantCulture) + long.Parse(requests.Groups["errored"].Value, CultureInfo.InvariantCulture);
        var latency = Latency().Match(output);
        return new H2LoadResult(
            scenario,
            connections * streams,
            round,
            double.Parse(Rate().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(requests.Groups["succeeded"].Value, CultureInfo.InvariantCulture),
            Milliseconds(latency.Groups["mean"].Value, latency.Groups["meanUnit"].Value),
            failed);
    }

    private static double Milliseconds(string value, string unit)
    {
        var amount = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => amount / 1000, "s" => amount * 1000, _ => amount };
    }

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex Rate();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored")]
    private static partial Regex Requests();

    [GeneratedRegex(@"time for request:\s+[\d.]+\w+\s+[\d.]+\w+\s+(?<mean>[\d.]+)(?<meanUnit>us|ms|s)")]
    private static partial Regex Latency();
}
