using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The admin API under <c>/__emulator/</c> (<see cref="LexPolicyEmulatorServerOptions.EnableAdminApi"/>) in-process, over a
/// real loopback socket: what it refuses, and what its request log does not repeat.
/// </summary>
public class EmulatorAdminApiTests
{
    private const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"Seeded","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"lex:RecognizeText","Resource":"*"}]}""";

    /// <summary>A policy stored for an ARN no request can name would only hide a fixture's typo: the ARN is held to the emulator's rules.</summary>
    [Theory]
    [InlineData("not-an-arn")]
    [InlineData("")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/SHORT")]
    [InlineData("arn:aws:lex:cn-north-1:123456789012:bot/ABCDEFGHIJ")]
    public async Task PutPolicy_ForAnArnThatIsNotALexV2BotOrAlias_Is400NamingResourceArn_AndStoresNothing(string arn)
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator, new LexPolicyEmulatorServerOptions { EnableAdminApi = true });
        using var admin = new HttpClient { BaseAddress = server.Endpoint };

        using var put = await admin.PutAsync("__emulator/policies/" + Uri.EscapeDataString(arn), new StringContent($$"""{"policy":{{Policy}}}""", Encoding.UTF8, "application/json"));
        string message = (string)JsonNode.Parse(await put.Content.ReadAsStringAsync())!["message"]!;

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.StartsWith("resourceArn: ", message, StringComparison.Ordinal);
        Assert.Empty(emulator.ResourceArns);
    }

    /// <summary>
    /// The log over HTTP repeats no credential: of an <c>authorization</c> value only the SigV4 credential scope and signed
    /// header list, whatever else a client put there (another scheme's token, a signature that is not hex, odd casing).
    /// </summary>
    [Theory]
    [InlineData("Bearer sk-live-SECRET", "(redacted)")]
    [InlineData("Basic dXNlcjpTRUNSRVQ=", "(redacted)")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lex/aws4_request, SignedHeaders=host, Signature=zzSECRETzz", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lex/aws4_request, SignedHeaders=host, Signature=(redacted)")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lex/aws4_request, SignedHeaders=host, signature=0123abcdSECRET", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lex/aws4_request, SignedHeaders=host, Signature=(redacted)")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lex/aws4_request, SignedHeaders=host, Signature=0123abcd, Token=SECRET", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lex/aws4_request, SignedHeaders=host, Signature=(redacted), (redacted)")]
    public async Task RequestLog_RepeatsNoCredential_OfAnyAuthorizationValue(string authorization, string logged)
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { EnableAdminApi = true });
        using var http = new HttpClient { BaseAddress = server.Endpoint };
        using var request = new HttpRequestMessage(HttpMethod.Get, TestSigning.PolicyPath().TrimStart('/'));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var answer = await http.SendAsync(request);

        string log = await http.GetStringAsync("__emulator/requests");

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal(logged, (string?)JsonNode.Parse(log)!.AsArray().Single()!["headers"]!["authorization"]);
        Assert.DoesNotContain("SECRET", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutPolicy_ForABotAliasArn_IsStored_AndReadBack()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator, new LexPolicyEmulatorServerOptions { EnableAdminApi = true });
        using var admin = new HttpClient { BaseAddress = server.Endpoint };
        string path = "__emulator/policies/" + Uri.EscapeDataString(TestSigning.Alias);

        using var put = await admin.PutAsync(path, new StringContent($$"""{"policy":{{Policy}},"revisionId":"7"}""", Encoding.UTF8, "application/json"));
        var read = JsonNode.Parse(await admin.GetStringAsync(path))!;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal((TestSigning.Alias, "7"), ((string?)read["resourceArn"], (string?)read["revisionId"]));
        Assert.Equal("7", emulator.GetPolicy(TestSigning.Alias)?.RevisionId);
    }
}
