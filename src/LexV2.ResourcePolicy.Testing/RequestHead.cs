using System.Globalization;
using System.Net;
using System.Text;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// An HTTP/1.1 request line and header section as received (RFC 9112), parsed strictly: one request line of method, origin-form
/// target and version; header lines of a token name, a colon and a value of visible characters, spaces and tabs (no line
/// folding, no control characters); then the framing rules that keep a request from being read two ways (one Host; never
/// both Content-Length and Transfer-Encoding; Transfer-Encoding only <c>chunked</c>).
/// </summary>
internal sealed class RequestHead
{
    private RequestHead(string method, string target, bool http10, List<KeyValuePair<string, string>> lines)
    {
        Method = method;
        Target = target;
        Http10 = http10;
        Lines = lines;
    }

    public string Method { get; }

    public string Target { get; }

    public bool Http10 { get; }

    public List<KeyValuePair<string, string>> Lines { get; }

    public bool Chunked { get; private set; }

    public long ContentLength { get; private set; }

    public bool ExpectContinue { get; private set; }

    public bool Close { get; private set; }

    public static RequestHead? Parse(ReadOnlySpan<byte> head, out Problem problem)
    {
        problem = default;
        int eol = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> requestLine = eol < 0 ? head : head[..eol];
        int sp1 = requestLine.IndexOf((byte)' ');
        int sp2 = sp1 < 0 ? -1 : requestLine[(sp1 + 1)..].IndexOf((byte)' ');
        if (sp1 <= 0 || sp2 <= 0)
        {
            problem = new(HttpStatusCode.BadRequest, "Malformed request line.");
            return null;
        }

        var method = requestLine[..sp1];
        var target = requestLine.Slice(sp1 + 1, sp2);
        var version = requestLine[(sp1 + sp2 + 2)..];
        if (!IsToken(method) || target.Length == 0 || target[0] != '/' || target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            problem = new(HttpStatusCode.BadRequest, "Malformed request line: expected METHOD /path?query HTTP/1.1.");
            return null;
        }

        bool http10 = version.SequenceEqual("HTTP/1.0"u8);
        if (!http10 && !version.SequenceEqual("HTTP/1.1"u8))
        {
            bool looksLikeHttp = version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5]) && version[6] == '.' && char.IsAsciiDigit((char)version[7]);
            problem = looksLikeHttp ? new(HttpStatusCode.HttpVersionNotSupported, "Only HTTP/1.1 and HTTP/1.0 are served.") : new(HttpStatusCode.BadRequest, "Malformed HTTP version.");
            return null;
        }

        var lines = new List<KeyValuePair<string, string>>();
        var rest = eol < 0 ? [] : head[(eol + 2)..];
        while (rest.Length > 0)
        {
            int end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                // Also line folding (a line starting with a space) and a space before the colon, which RFC 9112 says to reject.
                problem = new(HttpStatusCode.BadRequest, "Malformed header line.");
                return null;
            }

            var value = line[(colon + 1)..].Trim(" \t"u8);
            foreach (byte b in value)
            {
                if (b is < 0x20 and not (byte)'\t' or 0x7F)
                {
                    problem = new(HttpStatusCode.BadRequest, "A header value contains a control character.");
                    return null;
                }
            }

            lines.Add(new(Encoding.ASCII.GetString(line[..colon]), Encoding.UTF8.GetString(value)));
        }

        return new RequestHead(Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target), http10, lines);
    }

    /// <summary>The framing checks; on success sets how the body is read and whether the connection closes after the answer.</summary>
    public Problem? Check(int maxBodyBytes)
    {
        int hosts = Values("Host").Count();
        if (hosts > 1 || (hosts == 0 && !Http10))
        {
            return new(HttpStatusCode.BadRequest, "An HTTP/1.1 request needs exactly one Host header.");
        }

        string[] lengths = [.. Values("Content-Length").SelectMany(v => v.Split(',')).Select(v => v.Trim(' ', '\t'))];
        string[] encodings = [.. Values("Transfer-Encoding")];
        if (encodings.Length > 0)
        {
            if (lengths.Length > 0 || Http10)
            {
                return new(HttpStatusCode.BadRequest, "Transfer-Encoding with Content-Length, or in HTTP/1.0, is not accepted.");
            }

            if (!string.Join(",", encodings).Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return new(HttpStatusCode.NotImplemented, "Only the chunked transfer coding is served.");
            }

            Chunked = true;
        }
        else if (lengths.Length > 0)
        {
            if (lengths.Distinct().Count() != 1 || !long.TryParse(lengths[0], NumberStyles.None, CultureInfo.InvariantCulture, out long length))
            {
                return new(HttpStatusCode.BadRequest, "Malformed Content-Length.");
            }

            if (length > maxBodyBytes)
            {
                return new(HttpStatusCode.RequestEntityTooLarge, $"The request body of {length} bytes is larger than the limit of {maxBodyBytes} bytes.");
            }

            ContentLength = length;
        }

        if (!Http10 && Values("Expect").ToArray() is { Length: > 0 } expect)
        {
            if (expect.Length > 1 || !expect[0].Equals("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                return new(HttpStatusCode.ExpectationFailed, "Only Expect: 100-continue is supported.");
            }

            ExpectContinue = true;
        }

        Close = Http10 || Values("Connection").SelectMany(v => v.Split(',')).Any(t => t.Trim().Equals("close", StringComparison.OrdinalIgnoreCase));
        return null;
    }

    private IEnumerable<string> Values(string name) => Lines.Where(l => l.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(l => l.Value);

    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (byte b in s)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why a request cannot be served: the status to answer and a message.</summary>
    public readonly record struct Problem(HttpStatusCode Status, string Message);
}
