using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Verifies AWS Signature Version 4 on a request as it went over the wire (<see cref="ReceivedRequest"/>), written from the
/// specification on purpose: it shares no code with the client's signer, so a signing bug in either one shows up as a
/// rejected request. Canonical header values come from the received header lines: repeated lines joined with <c>,</c>,
/// each value trimmed and runs of spaces collapsed, <c>host</c> exactly as received.
/// </summary>
internal sealed class SigV4Verifier(IReadOnlyDictionary<string, string> secrets, string? region, string service, TimeSpan maxSkew)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// The checks that need only the request line and headers (everything but the payload hash and the signature itself),
    /// in the order AWS applies them; <see langword="null"/> when they pass.
    /// </summary>
    public EmulatorError? VerifyHeaders(ReceivedRequest request, DateTimeOffset now) => Parse(request, now, out _);

    /// <summary>Returns <see langword="null"/> when the signature is valid, else the error to answer with.</summary>
    public EmulatorError? Verify(ReceivedRequest request, DateTimeOffset now)
    {
        if (Parse(request, now, out var auth) is { } error)
        {
            return error;
        }

        string payloadHash = Hex(SHA256.HashData(request.Body.Span));
        string? declared = request.Joined("x-amz-content-sha256");
        if (declared is not null && declared != "UNSIGNED-PAYLOAD" && declared != payloadHash)
        {
            // S3 answers XAmzContentSHA256Mismatch (400); JSON services reject it as a signature that does not verify.
            return Forbidden("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        var canonical = new StringBuilder();
        int q = request.Target.IndexOf('?', StringComparison.Ordinal);
        string path = q >= 0 ? request.Target[..q] : request.Target;
        string query = q >= 0 ? request.Target[(q + 1)..] : string.Empty;
        canonical.Append(request.Method).Append('\n')
            .Append(CanonicalUri(path)).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (string name in auth.SignedHeaders)
        {
            canonical.Append(name).Append(':').Append(CanonicalValue(request, name)).Append('\n');
        }

        canonical.Append('\n').Append(auth.SignedHeadersText).Append('\n').Append(declared ?? payloadHash);

        string stringToSign = $"{Algorithm}\n{auth.AmzDate}\n{auth.Date}/{auth.Region}/{auth.Service}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + auth.Secret);
        foreach (string part in new[] { auth.Date, auth.Region, auth.Service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        byte[] expected = Encoding.ASCII.GetBytes(Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(auth.Signature)))
        {
            return Forbidden("InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return null;
    }

    internal static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Every service but S3: the path as sent, normalized as AWS services normalize it (the specification: "normalize URI paths
    /// according to RFC 3986, remove redundant and relative path components": <c>.</c> segments dropped, <c>..</c> removing the
    /// segment before it, empty segments from consecutive slashes dropped; the leading slash kept, the trailing one when a
    /// segment is left), then each segment URI-encoded once more.
    /// </summary>
    internal static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0)
        {
            return "/";
        }

        var segments = new List<string>();
        foreach (string segment in rawPath.Split('/'))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment.Length > 0 && segment != ".")
            {
                segments.Add(Encode(segment));
            }
        }

        return (rawPath[0] == '/' ? "/" : string.Empty) + string.Join('/', segments) + (rawPath[^1] == '/' && segments.Count > 0 ? "/" : string.Empty);
    }

    internal static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (string pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string name = eq >= 0 ? pair[..eq] : pair;
            string value = eq >= 0 ? pair[(eq + 1)..] : string.Empty;
            pairs.Add((Encode(Uri.UnescapeDataString(name)), Encode(Uri.UnescapeDataString(value))));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var c && c != 0 ? c : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static EmulatorError Forbidden(string code, string message) => new(HttpStatusCode.Forbidden, code, message);

    /// <summary>The header-only checks; on success <paramref name="auth"/> holds what the signature check needs.</summary>
    private EmulatorError? Parse(ReceivedRequest request, DateTimeOffset now, out Authorization auth)
    {
        auth = default;
        if (request.Joined("authorization") is not { } header)
        {
            return Forbidden("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return Forbidden("IncompleteSignatureException", $"Unsupported AWS 'algorithm': the Authorization header must start with '{Algorithm} '.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in header[(Algorithm.Length + 1)..].Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        if (!fields.TryGetValue("Credential", out string? credential) || !fields.TryGetValue("SignedHeaders", out string? signedHeaders) || !fields.TryGetValue("Signature", out string? signature))
        {
            return Forbidden("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        // The verifier takes the signing time from X-Amz-Date only (every AWS SDK sends it; the HTTP Date header is not used).
        string? amzDate = request.Joined("x-amz-date");
        if (amzDate is null)
        {
            return Forbidden("IncompleteSignatureException", "Authorization header requires existence of a valid 'X-Amz-Date' header.");
        }

        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return Forbidden("IncompleteSignatureException", $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        string[] names = signedHeaders.Split(';');
        if (!names.Contains("host"))
        {
            return Forbidden("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        if (!names.Contains("x-amz-date"))
        {
            // The date is sent but not signed, so a captured signature could be replayed with another date: incomplete.
            return Forbidden("IncompleteSignatureException", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
        }

        string[] scope = credential.Split('/');
        if (scope.Length != 5)
        {
            return Forbidden("IncompleteSignatureException", $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'.");
        }

        if (!secrets.TryGetValue(scope[0], out string? secret))
        {
            return Forbidden("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (scope[4] != "aws4_request" || scope[3] != service || (region is not null && scope[2] != region))
        {
            return Forbidden("InvalidSignatureException", $"Credential should be scoped to a valid region and service ('{region ?? scope[2]}', '{service}', 'aws4_request'), not ('{scope[2]}', '{scope[3]}', '{scope[4]}').");
        }

        if (scope[1] != amzDate[..8])
        {
            return Forbidden("InvalidSignatureException", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        if (signedAt < now - maxSkew)
        {
            return Forbidden("InvalidSignatureException", $"Signature expired: {amzDate} is now earlier than {Stamp(now - maxSkew)} ({Stamp(now)} - {maxSkew.TotalMinutes:0} min.)");
        }

        if (signedAt > now + maxSkew)
        {
            return Forbidden("InvalidSignatureException", $"Signature not yet current: {amzDate} is still later than {Stamp(now + maxSkew)} ({Stamp(now)} + {maxSkew.TotalMinutes:0} min.)");
        }

        auth = new Authorization(names, signedHeaders, signature, secret, amzDate, scope[1], scope[2], scope[3]);
        return null;
    }

    /// <summary>A signed header's canonical value: its lines joined with ',', each trimmed with runs of spaces collapsed.</summary>
    private static string CanonicalValue(ReceivedRequest request, string name)
    {
        var sb = new StringBuilder();
        bool first = true;
        foreach (var (n, v) in request.Lines)
        {
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                if (!first)
                {
                    sb.Append(',');
                }

                AppendCollapsed(sb, v);
                first = false;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The value trimmed, each run of whitespace (spaces and tabs alike) one space: what AWS's own signers send (AWSSDK.Core
    /// collapses every whitespace run, botocore splits on whitespace, the JavaScript SDK replaces <c>\s+</c>).
    /// </summary>
    private static void AppendCollapsed(StringBuilder sb, string value)
    {
        bool space = false;
        foreach (char c in value.Trim(' ', '\t'))
        {
            if (c is ' ' or '\t')
            {
                if (!space)
                {
                    sb.Append(' ');
                }

                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }
    }

    private static string Encode(string s)
    {
        var sb = new StringBuilder(s.Length * 2);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    private readonly record struct Authorization(string[] SignedHeaders, string SignedHeadersText, string Signature, string Secret, string AmzDate, string Date, string Region, string Service);
}
