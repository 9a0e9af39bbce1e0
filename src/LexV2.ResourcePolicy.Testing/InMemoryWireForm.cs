using System.Globalization;
using System.Net.Http.Headers;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// The wire form of an in-memory <see cref="HttpRequestMessage"/>: the header lines .NET's <c>SocketsHttpHandler</c> would
/// write for it, so the SigV4 verifier judges a request sent in memory exactly as the same request received by a server.
/// </summary>
internal static class InMemoryWireForm
{
    /// <summary>The header lines .NET's <c>SocketsHttpHandler</c> writes for <paramref name="request"/>, and its body.</summary>
    /// <remarks>
    /// Observed from SocketsHttpHandler (and checked by a test that captures its bytes): <c>Host</c> first, from
    /// <c>Headers.Host</c> or else the URI's IDN host (IPv6 in brackets) with the port unless it is the scheme's default; then
    /// one line per request header, then per content header, each header's values joined with <c>", "</c>, except
    /// <c>User-Agent</c> (a space) and <c>Cookie</c> (<c>"; "</c>); then <c>Content-Length</c> when the length is known,
    /// <c>Transfer-Encoding: chunked</c> when it is not, and <c>Content-Length: 0</c> for a bodiless request whose method
    /// requires a body (all but GET, HEAD, DELETE, OPTIONS and CONNECT).
    /// </remarks>
    public static async Task<ReceivedRequest> FromMessageAsync(HttpRequestMessage request, string? rawTarget, CancellationToken cancellationToken)
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

        string target = rawTarget ?? (uri is { IsAbsoluteUri: true } ? uri.PathAndQuery : uri?.OriginalString ?? "/");
        return ReceivedRequest.WithBody(request.Method.Method, target.Length == 0 ? "/" : target, lines, body);
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
