using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LexV2.ResourcePolicy.Tests.Signing;

namespace LexV2.ResourcePolicy.Tests.Wire;

/// <summary>
/// Checks a SigV4 signature against a request exactly as it arrived on the socket, from the specification alone (no AWSSDK.Core,
/// no project code): canonical URI = the received path normalized as AWS services do (RFC 3986 dot segments removed, and
/// consecutive slashes collapsed: empty segments dropped) and encoded once more, S3 excepted (its path as received), canonical
/// headers = the received lines of each signed
/// header joined with ",", trimmed, sequential spaces collapsed. Returns why it does not verify, or <see langword="null"/>.
/// </summary>
internal static partial class WireSignature
{
    /// <param name="request">The request as received.</param>
    /// <param name="secretKey">The secret the client should have signed with.</param>
    /// <param name="region">The region of the credential scope.</param>
    /// <param name="service">The signing name of the credential scope.</param>
    /// <param name="singleEncodedPath">S3's rule: the canonical URI is the received path as is (every other service encodes it once more).</param>
    public static string? Problem(RawRequest request, string secretKey, string region, string service = "lex", bool singleEncodedPath = false)
    {
        string? authorization = request.Header("Authorization");
        if (authorization is null)
        {
            return "no Authorization header";
        }

        Match m = AuthorizationPattern().Match(authorization);
        if (!m.Success)
        {
            return "malformed Authorization: " + authorization;
        }

        string date = m.Groups["date"].Value;
        if (m.Groups["region"].Value != region || m.Groups["service"].Value != service)
        {
            return $"scope {m.Groups["region"].Value}/{m.Groups["service"].Value}, expected {region}/{service}";
        }

        string[] signed = m.Groups["signed"].Value.Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date"))
        {
            return "host and x-amz-date must be signed: " + m.Groups["signed"].Value;
        }

        string amzDate = request.Header("X-Amz-Date") ?? "";
        if (!amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            return "X-Amz-Date does not match the credential scope date";
        }

        string payloadHash = SigV4Spec.Hex(SHA256.HashData(request.Body));
        if (request.Header("X-Amz-Content-SHA256") is { } declared && declared != payloadHash)
        {
            return "X-Amz-Content-SHA256 does not match the body";
        }

        string canonical = CanonicalRequest(request, signed, payloadHash, singleEncodedPath);
        string expected = SigV4Spec.Signature(canonical, amzDate, region, service, secretKey);
        return expected == m.Groups["signature"].Value ? null : "signature mismatch; canonical request:\n" + canonical;
    }

    public static string CanonicalRequest(RawRequest request, IReadOnlyList<string> signedHeaders, string payloadHash, bool singleEncodedPath = false)
    {
        int q = request.Target.IndexOf('?', StringComparison.Ordinal);
        string path = q < 0 ? request.Target : request.Target[..q];
        string query = q < 0 ? "" : request.Target[(q + 1)..];
        var sb = new StringBuilder();
        sb.Append(request.Method).Append('\n');
        sb.Append(singleEncodedPath ? (path.Length == 0 ? "/" : path) : EncodeOnceMore(Normalize(path))).Append('\n');
        sb.Append(CanonicalQuery(query)).Append('\n');
        foreach (string name in signedHeaders)
        {
            string value = string.Join(",", request.Lines(name).Select(v => Spaces().Replace(v.Trim(), " ")));
            sb.Append(name).Append(':').Append(value).Append('\n');
        }

        sb.Append('\n').Append(string.Join(";", signedHeaders)).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>
    /// The path as AWS services normalize it before signing (the SigV4 specification: "normalize URI paths according to RFC 3986,
    /// remove redundant and relative path components"): <c>.</c> segments dropped, <c>..</c> removing the one before, empty
    /// segments (consecutive slashes) dropped; the leading slash kept, a trailing one kept when anything is left.
    /// </summary>
    internal static string Normalize(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        var kept = new List<string>();
        foreach (string segment in path.Split('/'))
        {
            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }
            }
            else if (segment is not ("" or "."))
            {
                kept.Add(segment);
            }
        }

        return (path[0] == '/' ? "/" : "") + string.Join('/', kept) + (path[^1] == '/' && kept.Count > 0 ? "/" : "");
    }

    private static string EncodeOnceMore(string path)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(path.Length == 0 ? "/" : path))
        {
            sb.Append(b == '/' || IsUnreserved(b) ? ((char)b).ToString() : "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string CanonicalQuery(string query) => string.Join("&", query
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .Select(p => (Name: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "")))
        .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
        .Select(p => p.Name + "=" + p.Value));

    private static string Encode(string value)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            sb.Append(IsUnreserved(b) ? ((char)b).ToString() : "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static bool IsUnreserved(byte b) => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, ?SignedHeaders=(?<signed>[^,]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s{2,}|\t")]
    private static partial Regex Spaces();
}
