using System.Globalization;
using System.Net.Http.Headers;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// A request as it went over the wire: the method, the request target and the header lines exactly as received (names as
/// sent, values without their surrounding whitespace, in order, repeated lines kept apart), and the body. Served requests
/// are read off the socket; an in-memory <see cref="HttpRequestMessage"/> is turned into the lines .NET's
/// <c>SocketsHttpHandler</c> would write for it (<see cref="FromMessageAsync"/>), so the SigV4 verifier judges both the same way.
/// </summary>
internal sealed class WireRequest
{
    public required string Method { get; init; }

    /// <summary>The request target (origin form: path and query), still percent-encoded.</summary>
    public required string Target { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Lines { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>
    /// Whether the body was read and discarded unseen (the server answers an unauthenticated request without keeping it);
    /// <see cref="Body"/> is then empty and <see cref="BodyLength"/> says how long it was.
    /// </summary>
    public bool BodyDiscarded { get; init; }

    public long BodyLength { get; init; }

    /// <summary>
    /// The values of every line named <paramref name="name"/> (case-insensitive), in order, joined with <c>,</c> as SigV4
    /// combines repeated header lines; <see langword="null"/> when there is none.
    /// </summary>
    public string? Joined(string name)
    {
        string? joined = null;
        foreach (var (n, v) in Lines)
        {
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                joined = joined is null ? v : joined + "," + v;
            }
        }

        return joined;
    }

    /// <summary>The header lines .NET's <c>SocketsHttpHandler</c> writes for <paramref name="request"/>, and its body.</summary>
    /// <remarks>
    /// Observed from SocketsHttpHandler (and checked by a test that captures its bytes): <c>Host</c> first, from
    /// <c>Headers.Host</c> or else the URI's IDN host (IPv6 in brackets) with the port unless it is the scheme's default; then
    /// one line per request header, then per content header, each header's values joined with <c>", "</c>, except
    /// <c>User-Agent</c> (a space) and <c>Cookie</c> (<c>"; "</c>); then <c>Content-Length</c> when the length is known,
    /// <c>Transfer-Encoding: chunked</c> when it is not, and <c>Content-Length: 0</c> for a bodiless request whose method
    /// requires a body (all but GET, HEAD, DELETE, OPTIONS and CONNECT).
    /// </remarks>
    public static async Task<WireRequest> FromMessageAsync(HttpRequestMessage request, string? rawTarget, CancellationToken cancellationToken)
    {
        Uri? uri = request.RequestUri;
        var lines = new List<KeyValuePair<string, string>>();
        string? host = request.Headers.Host;
        if (host is null && uri is { IsAbsoluteUri: true })
        {
            string name = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost; // IPv6 in brackets (IdnHost drops them)
            host = uri.IsDefaultPort ? name : name + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        if (host is not null)
        {
            lines.Add(new("Host", host));
        }

        foreach (var header in request.Headers.NonValidated)
        {
            if (!header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                Add(lines, header.Key, header.Value);
            }
        }

        byte[] body = [];
        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    Add(lines, header.Key, header.Value);
                }
            }

            body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (request.Headers.TransferEncodingChunked != true)
            {
                if (content.Headers.ContentLength is { } length)
                {
                    lines.Add(new("Content-Length", length.ToString(CultureInfo.InvariantCulture)));
                }
                else
                {
                    lines.Add(new("Transfer-Encoding", "chunked"));
                }
            }
        }
        else if (!IsBodilessMethod(request.Method.Method))
        {
            lines.Add(new("Content-Length", "0"));
        }

        return new WireRequest
        {
            Method = request.Method.Method,
            Target = rawTarget ?? (uri is { IsAbsoluteUri: true } ? uri.PathAndQuery : uri?.OriginalString ?? "/"),
            Lines = lines,
            Body = body,
            BodyLength = body.Length,
        };
    }

    private static void Add(List<KeyValuePair<string, string>> lines, string name, HeaderStringValues values)
    {
        string separator = name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase) ? " "
            : name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; "
            : ", ";
        lines.Add(new(name, string.Join(separator, values).Trim(' ', '\t')));
    }

    private static bool IsBodilessMethod(string method) =>
        method.ToUpperInvariant() is "GET" or "HEAD" or "DELETE" or "OPTIONS" or "CONNECT";
}
