using System.Net;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Review of #12: the emulator must accept what real AWS clients sign. AWSSDK.Core (like botocore's ' '.join(v.split()) and the JS
/// SDK's /\s+/g) collapses every run of whitespace in a header value, tabs included; the emulator's SigV4Verifier (and
/// tests/Wire/WireSignature) collapse only spaces, so a header value with a tab is answered 403 InvalidSignatureException.
/// </summary>
public class EmulatorWhitespaceTests
{
    [Theory]
    [InlineData("a\tb")]
    [InlineData("a \t b")]
    [InlineData("a   b")] // control: passes today
    public async Task HeaderValueWithTabs_SignedByAwsSdkCore_IsAccepted(string value)
    {
        using var emulator = new LexPolicyEmulator();
        using var http = new HttpClient(new Signing.AwsSigV4Handler(new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey), "us-east-1") { InnerHandler = emulator });
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/policy/arn%3Aaws%3Alex%3Aus-east-1%3A123456789012%3Abot%2FBOTID12345/");
        request.Headers.TryAddWithoutValidation("X-Note", value);

        using var response = await http.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
