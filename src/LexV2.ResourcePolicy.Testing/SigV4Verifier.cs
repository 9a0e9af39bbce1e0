using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// Verifies AWS Signature Version 4 on an incoming request, written from the specification on purpose: it shares no code with
/// the client's signer (AWSSDK.Core), so a signing bug in either one shows up as a rejected request.
/// </summary>
internal sealed class SigV4Verifier(IReadOnlyDictionary<string, string> secrets, string? region, string service, TimeSpan maxSkew)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Returns <see langword="null"/> when the signature is valid, else the error to answer with.</summary>
    public EmulatorError? Verify(HttpRequestMessage request, string rawPathAndQuery, byte[] body, DateTimeOffset now)
    {
        if (!request.Headers.TryGetValues("Authorization", out var authValues))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        string auth = string.Join(",", authValues);
        if (!auth.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "IncompleteSignatureException", "Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in auth[(Algorithm.Length + 1)..].Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        if (!fields.TryGetValue("Credential", out string? credential) || !fields.TryGetValue("SignedHeaders", out string? signedHeaders) || !fields.TryGetValue("Signature", out string? signature))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        string[] scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "IncompleteSignatureException", "Credential should be scoped to a valid region and service: <key>/<date>/<region>/<service>/aws4_request.");
        }

        if (!secrets.TryGetValue(scope[0], out string? secret))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (scope[3] != service || (region is not null && scope[2] != region))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "InvalidSignatureException", $"Credential should be scoped to a valid region and service ('{region ?? scope[2]}', '{service}'), not ('{scope[2]}', '{scope[3]}').");
        }

        string? amzDate = Header(request, "x-amz-date");
        if (amzDate is null || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return new EmulatorError(HttpStatusCode.BadRequest, "IncompleteSignatureException", "The request must carry a valid X-Amz-Date header (yyyyMMddTHHmmssZ).");
        }

        if (scope[1] != amzDate[..8])
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");
        }

        if (signedAt < now - maxSkew)
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "InvalidSignatureException",
                $"Signature expired: {amzDate} is now earlier than {Stamp(now - maxSkew)} ({Stamp(now)} - {maxSkew.TotalMinutes:0} min.)");
        }

        if (signedAt > now + maxSkew)
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "InvalidSignatureException",
                $"Signature not yet current: {amzDate} is still later than {Stamp(now + maxSkew)} ({Stamp(now)} + {maxSkew.TotalMinutes:0} min.)");
        }

        string payloadHash = Hex(SHA256.HashData(body));
        if (Header(request, "x-amz-content-sha256") is { } declared && declared != "UNSIGNED-PAYLOAD" && declared != payloadHash)
        {
            return new EmulatorError(HttpStatusCode.BadRequest, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        string[] headerNames = signedHeaders.Split(';');
        if (!headerNames.Contains("host"))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "InvalidSignatureException", "'Host' must be a signed header.");
        }

        var canonical = new StringBuilder();
        int q = rawPathAndQuery.IndexOf('?', StringComparison.Ordinal);
        string path = q >= 0 ? rawPathAndQuery[..q] : rawPathAndQuery;
        string query = q >= 0 ? rawPathAndQuery[(q + 1)..] : string.Empty;
        canonical.Append(request.Method.Method).Append('\n')
            .Append(CanonicalUri(path)).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (string name in headerNames)
        {
            string value = name == "host" ? (Header(request, "host") ?? request.RequestUri!.Authority) : Header(request, name) ?? string.Empty;
            canonical.Append(name).Append(':').Append(CollapseSpaces(value)).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Header(request, "x-amz-content-sha256") ?? payloadHash);

        string stringToSign = $"{Algorithm}\n{amzDate}\n{scope[1]}/{scope[2]}/{scope[3]}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (string part in new[] { scope[1], scope[2], scope[3], "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        byte[] expected = Encoding.ASCII.GetBytes(Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
        {
            return new EmulatorError(HttpStatusCode.Forbidden, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return null;
    }

    internal static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Every service but S3: the path as sent, each segment URI-encoded once more.</summary>
    internal static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0)
        {
            return "/";
        }

        return string.Join('/', rawPath.Split('/').Select(Encode));
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

    private static string? Header(HttpRequestMessage request, string name)
    {
        if (request.Headers.TryGetValues(name, out var values) || (request.Content is not null && request.Content.Headers.TryGetValues(name, out values)))
        {
            return string.Join(",", values.Select(v => v.Trim()));
        }

        return null;
    }

    private static string CollapseSpaces(string value)
    {
        var sb = new StringBuilder(value.Length);
        bool space = false;
        foreach (char c in value.Trim())
        {
            if (c == ' ')
            {
                if (!space)
                {
                    sb.Append(c);
                }

                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }

        return sb.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
