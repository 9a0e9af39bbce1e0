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
