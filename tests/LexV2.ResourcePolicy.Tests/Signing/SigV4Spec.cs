using System.Security.Cryptography;
using System.Text;

namespace LexV2.ResourcePolicy.Tests.Signing;

/// <summary>
/// The SigV4 string-to-sign and signature, computed from the specification's text alone (no AWSSDK.Core, no project code),
/// so that the handler's output can be checked against an independent derivation.
/// </summary>
internal static class SigV4Spec
{
    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant(); // ToHexStringLower is .NET 9+: these tests also run on .NET 8

    public static string Sha256Hex(string text) => Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Signature(string canonicalRequest, string amzDate, string region, string service, string secretKey)
    {
        string date = amzDate[..8];
        string scope = $"{date}/{region}/{service}/aws4_request";
        string stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Sha256Hex(canonicalRequest)}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (string part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }
}
