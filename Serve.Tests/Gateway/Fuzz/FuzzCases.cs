using System.Globalization;
using System.Text;

namespace Serve.Tests.Gateway.Fuzz;

/// <summary>
/// Makes malformed and odd HTTP/1.x exchanges from a seed: the same seed gives the same cases in the same order.
/// Every family of RFC 9112 trouble a proxy meets: methods, request targets, versions, header syntax and sizes,
/// Content-Length and Transfer-Encoding disagreements, chunk syntax, bodies that are not UTF-8, pipelining, clients
/// that vanish mid-body, and plain garbage; a share of well-formed requests (some asking the application to fail)
/// keeps the fixture honest.
/// </summary>
public sealed class FuzzCases
{
    private const string Host = "fuzz.test";

    private static readonly string[] OddMethods =
    [
        "get", "GETT", "G@T", "BREW", "PROPFIND", "PATCH", "CONNECT", "TRACE", "OPTIONS", "M-SEARCH", "PRI", "\u0000GET",
        "GET\u0001", "Ǵ", "POST ", new string('X', 300), new string('M', 9000),
    ];

    private static readonly string[] OddTargets =
    [
        "/../../etc/passwd", "/{0}/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/{0}/..%2f..%2fetc%2fpasswd", "/{0}/%2e%2e%5c%2e%2e%5cwindows",
        "//{0}", "/{0}//x///y", "/{0}/%00", "/{0}/%zz", "/{0}/%", "/{0}/\u00e9", "/{0}?a=%ff%fe", "/{0}?%00=%00", "/{0}#frag",
        "*", "{0}", "http://evil.test/{0}", "http://" + Host + "/{0}", "https://[::1]:1/{0}", "/{0}/..", "/-/../-/routes",
        "/api/serve/applications", "/-/healthz/../../{0}", "/{0}/" + new string('a', 4000), "/{0}?" + new string('q', 7000),
        "/{0}/%c0%ae%c0%ae/", "/{0}/\\..\\..\\", "/{0};jsessionid=1", "/%2F{0}", "/{0}/%252e%252e/",
    ];

    private readonly Random _random;
    private readonly string _prefix;

    private FuzzCases(int seed, string prefix)
    {
        _random = new Random(seed);
        _prefix = prefix.Trim('/');
    }

    /// <summary><paramref name="count"/> cases from <paramref name="seed"/>, aimed at the application under <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<FuzzCase> Generate(int count, int seed, string prefix)
    {
        var cases = new FuzzCases(seed, prefix);
        return Enumerable.Range(0, count).Select(_ => cases.Next()).ToArray();
    }

    private FuzzCase Next() => _random.Next(20) switch
    {
        0 => Valid(),
        1 => UserFailure(),
        2 => BadMethod(),
        3 => HugeHeaders(),
        4 or 5 => BrokenChunking(),
        6 => NonUtf8Body(),
        7 => NonAsciiHeader(),
        8 or 9 => PathTraversal(),
        10 => Pipelining(),
        11 => DisconnectMidBody(),
        12 or 13 => BadContentLength(),
        14 or 15 => OddTransferEncoding(),
        16 => BadVersion(),
        17 => MalformedHeaders(),
        18 => ExpectAndHost(),
        _ => Garbage(),
    };

    private string Path => "/" + _prefix;

    private static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    private static string Head(string method, string target, string version = "HTTP/1.1", params string[] headers) =>
        $"{method} {target} {version}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n";

    private static FuzzCase Case(string family, string text, int answers = 1, bool truncated = false, bool head = false, bool deliberateFailure = false) =>
        new(family, [Ascii(text)], answers, truncated, Head: head, DeliberateFailure: deliberateFailure);

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string Letters(int count) => new(Enumerable.Range(0, count).Select(_ => (char)('a' + _random.Next(26))).ToArray());

    private FuzzCase Valid()
    {
        var body = Letters(_random.Next(0, 3000));
        return _random.Next(3) switch
        {
            0 => Case("well-formed", Head("GET", $"{Path}?kind=string", headers: $"Host: {Host}")),
            1 => Case("well-formed", Head("HEAD", Path, headers: $"Host: {Host}"), head: true),
            _ => Case("well-formed", Head("POST", Path, headers: [$"Host: {Host}", $"Content-Length: {body.Length}", "Content-Type: text/plain"]) + body),
        };
    }

    private FuzzCase UserFailure() => Case("user-failure", Head(_random.Next(2) == 0 ? "GET" : "DELETE", $"{Path}?kind=fail", headers: $"Host: {Host}"), deliberateFailure: true);

    private FuzzCase BadMethod()
    {
        var method = OddMethods[_random.Next(OddMethods.Length)];
        return Case("bad-method", Head(method, Path, headers: [$"Host: {Host}", "Content-Length: 0"]));
    }

    private FuzzCase HugeHeaders() => _random.Next(5) switch
    {
        0 => Case("huge-headers", Head("GET", Path, headers: [$"Host: {Host}", $"X-Big: {Letters(_random.Next(33_000, 70_000))}"])),
        1 => Case("huge-headers", Head("GET", Path, headers: [$"Host: {Host}", .. Enumerable.Range(0, _random.Next(101, 400)).Select(i => $"X-H{i}: {i}")])),
        2 => Case("huge-headers", Head("GET", $"{Path}?{Letters(_random.Next(8200, 20_000))}", headers: $"Host: {Host}")),
        3 => Case("huge-headers", Head("GET", Path, headers: [$"Host: {Host}", $"{Letters(_random.Next(10_000, 40_000))}: x"])),
        _ => Case("huge-headers", Head("GET", Path, headers: [$"Host: {Host}", .. Enumerable.Range(0, 90).Select(i => $"X-Many-{i}: {Letters(300)}")])),
    };

    private FuzzCase BrokenChunking()
    {
        var head = Head("POST", Path, headers: [$"Host: {Host}", "Transfer-Encoding: chunked"]);
        (string Body, bool Truncated)[] bodies =
        [
            ("zz\r\nhello\r\n0\r\n\r\n", false),
            ("5\r\nhello0\r\n\r\n", false),
            ("5\r\nhelloXX\r\n0\r\n\r\n", false),
            ("ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n", false),
            ("-5\r\nhello\r\n0\r\n\r\n", false),
            (" 5 \r\nhello\r\n0\r\n\r\n", false),
            ("5;ext=1;other=\"q\"\r\nhello\r\n0\r\n\r\n", false),
            ("5\r\nhello\r\n0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n", false),
            ("5\nhello\n0\n\n", false),
            ("0x5\r\nhello\r\n0\r\n\r\n", false),
            (string.Concat(Enumerable.Repeat("1\r\na\r\n", 2000)) + "0\r\n\r\n", false),
            ("5\r\nhello\r\n0\r\n" + new string('T', 20_000) + ": x\r\n\r\n", false),
            ("5\r\nhel", true),
            ("5\r\nhello\r\n", true),
            ("5\r\nhello\r\n0\r\n", true),
            ("1000\r\n" + new string('a', 10) + "\r\n0\r\n\r\n", true),
            ("", true),
        ];
        var (body, truncated) = bodies[_random.Next(bodies.Length)];
        // Some in one write, some in two pieces: the parser sees chunk lines split anywhere.
        if (_random.Next(3) == 0 && body.Length > 4)
        {
            var cut = _random.Next(1, body.Length);
            return new FuzzCase("broken-chunking", [Ascii(head + body[..cut]), Ascii(body[cut..])], Truncated: truncated);
        }
        return Case("broken-chunking", head + body, truncated: truncated);
    }

    private FuzzCase NonUtf8Body()
    {
        var body = RandomBytes(_random.Next(1, 4000));
        var contentType = _random.Next(3) switch { 0 => "text/plain; charset=utf-8", 1 => "application/json", _ => "application/x-www-form-urlencoded" };
        return new FuzzCase("non-utf8-body", [Ascii(Head("POST", Path, headers: [$"Host: {Host}", $"Content-Length: {body.Length}", $"Content-Type: {contentType}"])), body]);
    }

    private FuzzCase NonAsciiHeader()
    {
        var value = RandomBytes(_random.Next(1, 60)).Select(b => (byte)(b | 0x80)).ToArray();
        var name = _random.Next(3) == 0 ? "X-Name-\u00ff" : "X-Binary";
        return new FuzzCase("non-ascii-header", [Ascii($"GET {Path} HTTP/1.1\r\nHost: {Host}\r\n{name}: "), value, Ascii("\r\n\r\n")]);
    }

    private FuzzCase PathTraversal()
    {
        var target = string.Format(CultureInfo.InvariantCulture, OddTargets[_random.Next(OddTargets.Length)], _prefix);
        return Case("path-traversal", Head(_random.Next(4) == 0 ? "POST" : "GET", target, headers: [$"Host: {Host}", "Content-Length: 0"]));
    }

    private FuzzCase Pipelining()
    {
        var count = _random.Next(2, 12);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var body = Letters(_random.Next(0, 200));
            text.Append(_random.Next(3) == 0
                ? Head("POST", $"{Path}?n={i}", headers: [$"Host: {Host}", $"Content-Length: {body.Length}"]) + body
                : Head("GET", $"{Path}?kind=string&n={i}", headers: $"Host: {Host}"));
        }
        if (_random.Next(4) == 0)
        {
            // A bad request in the middle of a pipeline: the ones before it are answered, then the connection closes.
            text.Insert(text.Length / 2, "BROKEN\r\n\r\n");
        }
        return Case("pipelining", text.ToString(), answers: count);
    }

    private FuzzCase DisconnectMidBody()
    {
        var length = _random.Next(100, 4000);
        var sent = _random.Next(0, length);
        var head = _random.Next(2) == 0
            ? Head("POST", Path, headers: [$"Host: {Host}", $"Content-Length: {length}"])
            : Head("POST", Path, headers: [$"Host: {Host}", "Transfer-Encoding: chunked"]) + $"{length:x}\r\n";
        return new FuzzCase("disconnect-mid-body", [Ascii(head), Ascii(Letters(sent))], Abort: true);
    }

    private FuzzCase BadContentLength()
    {
        var body = Letters(_random.Next(10, 100));
        (string Length, bool Truncated)[] lengths =
        [
            ("abc", false), ("-1", false), ("1e3", false), ("99999999999999999999", false), ("0x10", false), ("+5", false), (" 5", false),
            ("5 ", false), ("5, 5", false), ("5,6", false), ("", false), ("\t5", false),
            ((body.Length / 2).ToString(CultureInfo.InvariantCulture), false),
            (body.Length.ToString(CultureInfo.InvariantCulture) + "0", true), ("4097", true), ("1000000000", true),
        ];
        var (length, truncated) = lengths[_random.Next(lengths.Length)];
        return _random.Next(4) == 0
            ? Case("bad-content-length", Head("POST", Path, headers: [$"Host: {Host}", $"Content-Length: {body.Length}", $"Content-Length: {body.Length + 1}"]) + body)
            : Case("bad-content-length", Head("POST", Path, headers: [$"Host: {Host}", $"Content-Length: {length}"]) + body, truncated: truncated);
    }

    private FuzzCase OddTransferEncoding()
    {
        string[] encodings = ["chunked, chunked", "gzip, chunked", "chunked, gzip", "identity", "CHUNKED", "chunked\t", "x-custom", "chunked;q=1", "", ",chunked"];
        var chunked = "5\r\nhello\r\n0\r\n\r\n";
        return _random.Next(5) switch
        {
            0 => Case("odd-transfer-encoding", Head("POST", Path, headers: [$"Host: {Host}", "Transfer-Encoding: chunked", "Content-Length: 5"]) + chunked),
            1 => Case("odd-transfer-encoding", Head("POST", Path, headers: [$"Host: {Host}", "Content-Length: 5", "Transfer-Encoding: chunked"]) + chunked),
            2 => Case("odd-transfer-encoding", Head("POST", Path, "HTTP/1.0", $"Host: {Host}", "Transfer-Encoding: chunked") + chunked),
            3 => Case("odd-transfer-encoding", Head("POST", Path, headers: [$"Host: {Host}", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked"]) + chunked),
            _ => Case("odd-transfer-encoding", Head("POST", Path, headers: [$"Host: {Host}", $"Transfer-Encoding: {encodings[_random.Next(encodings.Length)]}"]) + chunked),
        };
    }

    private FuzzCase BadVersion()
    {
        string[] versions = ["HTTP/1.2", "HTTP/2.0", "HTTP/3", "HTTP/1.1x", "http/1.1", "HTTP/1.1 extra", "HTTP/01.1", "HTTP/1", "HTTP/", "", "ICE/1.0"];
        var version = versions[_random.Next(versions.Length)];
        return _random.Next(6) == 0
            ? Case("bad-version", $"GET {Path}\r\n")
            : Case("bad-version", Head("GET", Path, version, $"Host: {Host}"));
    }

    private FuzzCase MalformedHeaders()
    {
        string[] lines =
        [
            "NoColon", "Space : before", " Leading: space", "X-Folded: a\r\n continued", ": empty-name", "X-Ctl\u0001: x", "X-Val: a\u0000b",
            "X-Tab:\tvalue\t", "X-Bare-LF: x\nX-Next: y", "X-Bare-CR: x\ry", "Bad Name: x", "X-Dup: 1\r\nx-dup: 2\r\nX-DUP: 3", "Content-Type: ",
        ];
        var line = lines[_random.Next(lines.Length)];
        return Case("malformed-headers", $"GET {Path}?kind=string HTTP/1.1\r\nHost: {Host}\r\n{line}\r\n\r\n");
    }

    private FuzzCase ExpectAndHost() => _random.Next(7) switch
    {
        0 => Case("expect-and-host", Head("POST", Path, headers: [$"Host: {Host}", "Expect: 100-continue", "Content-Length: 5"]) + "hello"),
        1 => Case("expect-and-host", Head("POST", Path, headers: [$"Host: {Host}", "Expect: bogus", "Content-Length: 5"]) + "hello"),
        2 => Case("expect-and-host", Head("GET", Path)),
        3 => Case("expect-and-host", Head("GET", Path, headers: [$"Host: {Host}", "Host: other.test"])),
        4 => Case("expect-and-host", Head("GET", Path, headers: "Host: bad host/name")),
        5 => Case("expect-and-host", Head("GET", "http://absolute.test/" + _prefix, headers: $"Host: {Host}")),
        _ => Case("expect-and-host", Head("GET", Path, "HTTP/1.0")),
    };

    private FuzzCase Garbage() => _random.Next(5) switch
    {
        // Bytes with no end of line in sight leave the gateway waiting for the rest of a request line: the client ends it.
        0 => new FuzzCase("garbage", [RandomBytes(_random.Next(1, 3000))], Truncated: true),
        1 => Case("garbage", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", truncated: true),
        // The start of a TLS ClientHello on the plain port.
        2 => new FuzzCase("garbage", [[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. RandomBytes(64)]], Truncated: true),
        3 => Case("garbage", "\r\n\r\n\r\n", truncated: true),
        _ => Case("garbage", new string('\n', _random.Next(1, 100)) + Head("GET", $"{Path}?kind=string", headers: $"Host: {Host}")),
    };
}
