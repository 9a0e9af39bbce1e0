using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Two ways to sign a request for the emulator: AWSSDK.Core's public signer (an independent, correct implementation), and
/// a small signer from the SigV4 specification that signs exactly the canonical header values a test gives it, so a test
/// can be wrong on purpose (join values with ",", leave the port out of the host, ...).
/// </summary>
internal static class TestSigning
{
    public const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";

    private static readonly BasicAWSCredentials Example = new(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey);

    public static string StatementsPath(string arn = Alias) => "/policy/" + Uri.EscapeDataString(arn) + "/statements/";

    public static string PolicyPath(string arn = Alias) => "/policy/" + Uri.EscapeDataString(arn) + "/";

    /// <summary>A statement granting an IAM role of the alias's account lex:RecognizeText, as the client sends it.</summary>
    public static CreateResourcePolicyStatementRequest RoleStatement(string sid, string arn = Alias) => new()
    {
        ResourceArn = arn, StatementId = sid, Effect = Effect.Allow,
        Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")], Action = ["lex:RecognizeText"],
    };

    /// <summary>The same statement as a raw request body.</summary>
    public static byte[] StatementBody(string sid) =>
        Encoding.UTF8.GetBytes($$"""{"statementId":"{{sid}}","effect":"Allow","principal":[{"arn":"arn:aws:iam::123456789012:role/app"}],"action":["lex:RecognizeText"]}""");

    /// <summary>AWSSDK.Core's signer over <paramref name="signed"/> (header name → value as the signer is given it).</summary>
    /// <returns>The headers the signer adds: Authorization, X-Amz-Date, X-Amz-Content-SHA256.</returns>
    public static async Task<IReadOnlyDictionary<string, string>> AwsSdkSignAsync(HttpMethod method, Uri uri, IReadOnlyDictionary<string, string> signed, byte[] body)
    {
        var request = new AWSSigningRequest { HttpMethod = method, RequestUri = uri, Content = body };
        foreach (var (name, value) in signed)
        {
            request.Headers[name] = value;
        }

        var result = await AWSSigV4Signer.SignAsync(request, new AWSSigV4Parameters { Credentials = Example, Region = Amazon.RegionEndpoint.USEast1, Service = "lex", SignPayload = true }, CancellationToken.None);
        return result.Headers.Where(h => h.Key is "Authorization" or "X-Amz-Date" or "X-Amz-Content-SHA256").ToDictionary(h => h.Key, h => h.Value);
    }

    /// <summary>
    /// Signs from the specification with exactly the canonical values given (lower-case names), plus x-amz-date unless
    /// <paramref name="signDate"/> is false. The path is taken as sent and encoded once more, as for every service but S3.
    /// </summary>
    /// <returns>The X-Amz-Date and Authorization values.</returns>
    public static (string AmzDate, string Authorization) SpecSign(string method, string pathAndQuery, IEnumerable<(string Name, string Value)> canonical, byte[] body, bool signDate = true, string? payloadHash = null)
    {
        string amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = canonical.ToList();
        if (signDate)
        {
            headers.Add(("x-amz-date", amzDate));
        }

        headers.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        int q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        string path = q < 0 ? pathAndQuery : pathAndQuery[..q];
        string query = q < 0 ? string.Empty : pathAndQuery[(q + 1)..];
        string canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        string signedHeaders = string.Join(';', headers.Select(h => h.Name));
        string canonicalRequest = $"{method}\n{string.Join('/', path.Split('/').Select(Encode))}\n{canonicalQuery}\n"
            + string.Concat(headers.Select(h => $"{h.Name}:{h.Value}\n")) + $"\n{signedHeaders}\n{payloadHash ?? Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant()}";
        string date = amzDate[..8];
        string stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/us-east-1/lex/aws4_request\n{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))).ToLowerInvariant()}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + LexPolicyEmulatorOptions.ExampleSecretKey);
        foreach (string part in new[] { date, "us-east-1", "lex", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        string signature = Convert.ToHexString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))).ToLowerInvariant();
        return (amzDate, $"AWS4-HMAC-SHA256 Credential={LexPolicyEmulatorOptions.ExampleAccessKey}/{date}/us-east-1/lex/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static string Encode(string segment)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(segment))
        {
            sb.Append(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' ? ((char)b).ToString() : "%" + b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
