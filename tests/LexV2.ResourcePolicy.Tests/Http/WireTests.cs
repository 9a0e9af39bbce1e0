using CsCheck;
using System.Net;
using System.Text.Json;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Http;

public class WireTests
{
    private const string Base = "https://models-v2-lex.us-east-1.amazonaws.com";

    [Fact]
    public async Task CreateResourcePolicyStatement_SendsPostWithEncodedArnQueryAndCamelCaseBody()
    {
        using var m = new MockClient();
        string? body = null;
        m.Http.Expect(HttpMethod.Post, $"{Base}/policy/{Fixtures.EncodedAliasArn}/statements/")
            .WithExactQueryString("expectedRevisionId=7")
            .With(r => r.Content!.Headers.ContentType!.MediaType == "application/json")
            .With(r => { body = r.Content!.ReadAsStringAsync().Result; return true; })
            .Respond("application/json", $$"""{"resourceArn":"{{Fixtures.AliasArn}}","revisionId":"8"}""");

        var response = await m.Client.CreateResourcePolicyStatementAsync(Fixtures.ConnectGrant() with { ExpectedRevisionId = "7" });

        m.Http.VerifyNoOutstandingExpectation();
        Assert.Equal(Fixtures.AliasArn, response.ResourceArn);
        Assert.Equal("8", response.RevisionId);
        Assert.Equal(
            """{"action":["lex:RecognizeText","lex:StartConversation"],"condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnEquals":{"aws:SourceArn":"arn:aws:connect:us-east-1:123456789012:instance/abc"}},"effect":"Allow","principal":[{"service":"connect.amazonaws.com"}],"statementId":"ConnectAccess"}""",
            body);
    }

    [Fact]
    public async Task CreateResourcePolicyStatement_OmitsNullsAndQueryWhenUnset()
    {
        using var m = new MockClient();
        string? body = null;
        Uri? uri = null;
        m.Http.When("*").With(r => { uri = r.RequestUri; body = r.Content!.ReadAsStringAsync().Result; return true; })
            .Respond("application/json", """{"resourceArn":"x","revisionId":"1"}""");

        await m.Client.CreateResourcePolicyStatementAsync(new CreateResourcePolicyStatementRequest
        {
            ResourceArn = Fixtures.AliasArn,
            StatementId = "Role",
            Effect = Effect.Deny,
            Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/deployer")],
            Action = ["lex:*"],
        });

        Assert.Equal("", uri!.Query);
        Assert.Equal("""{"action":["lex:*"],"effect":"Deny","principal":[{"arn":"arn:aws:iam::123456789012:role/deployer"}],"statementId":"Role"}""", body);
    }

    [Fact]
    public async Task DeleteResourcePolicyStatement_SendsDeleteWithBothLabelsEncodedAndNoBody()
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        m.Http.Expect(HttpMethod.Delete, $"{Base}/policy/{Fixtures.EncodedAliasArn}/statements/a%2Fb%3Fc%23d%20e%25/")
            .WithExactQueryString("expectedRevisionId=3")
            .With(r => r.Content is null)
            .Respond(HttpStatusCode.NoContent);

        var response = await m.Client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Fixtures.AliasArn, StatementId = "a/b?c#d e%", ExpectedRevisionId = "3" });

        m.Http.VerifyNoOutstandingExpectation();
        Assert.Null(response.RevisionId);
    }

    [Theory]
    [InlineData("..", ".", "/policy/%2E%2E/statements/%2E/")]
    [InlineData("../../x", "..", "/policy/..%2F..%2Fx/statements/%2E%2E/")]
    public async Task DotLabels_CannotActAsDotSegments(string arn, string sid, string expectedPath)
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        Uri? uri = null;
        m.Http.When("*").With(r => { uri = r.RequestUri; return true; }).Respond(HttpStatusCode.NoContent);

        await m.Client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = arn, StatementId = sid });

        Assert.Equal(expectedPath, uri!.AbsolutePath);
    }

    [Fact]
    public async Task DeleteResourcePolicyStatement_204WithBodyStillSucceeds()
    {
        using var m = new MockClient();
        m.Http.When(HttpMethod.Delete, "*").Respond(HttpStatusCode.NoContent, "application/json", """{"resourceArn":"r","revisionId":"4"}""");

        var response = await m.Client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Fixtures.AliasArn, StatementId = "Sid1" });

        Assert.Equal("4", response.RevisionId);
    }

    [Fact]
    public async Task CreateResourcePolicy_SendsPostWithPolicyBodyAndNoQuery()
    {
        using var m = new MockClient();
        const string policy = """{"Version":"2012-10-17","Statement":[]}""";
        string? body = null;
        m.Http.Expect(HttpMethod.Post, $"{Base}/policy/{Fixtures.EncodedAliasArn}/")
            .With(r => r.RequestUri!.Query.Length == 0)
            .With(r => { body = r.Content!.ReadAsStringAsync().Result; return r.Content.Headers.ContentType!.MediaType == "application/json"; })
            .Respond("application/json", """{"resourceArn":"arn","revisionId":"1"}""");

        var response = await m.Client.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy });

        m.Http.VerifyNoOutstandingExpectation();
        Assert.Equal("1", response.RevisionId);
        Assert.Equal(policy, JsonDocument.Parse(body!).RootElement.GetProperty("policy").GetString());
    }

    [Fact]
    public async Task DescribeResourcePolicy_SendsGetWithoutBodyAndParsesPolicy()
    {
        using var m = new MockClient();
        m.Http.Expect(HttpMethod.Get, $"{Base}/policy/{Fixtures.EncodedAliasArn}/")
            .With(r => r.Content is null && r.RequestUri!.Query.Length == 0)
            .Respond("application/json", """{"resourceArn":"arn:x","policy":"{\"Version\":\"2012-10-17\"}","revisionId":"12"}""");

        var response = await m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });

        m.Http.VerifyNoOutstandingExpectation();
        Assert.Equal("arn:x", response.ResourceArn);
        Assert.Equal("""{"Version":"2012-10-17"}""", response.Policy);
        Assert.Equal("12", response.RevisionId);
    }

    [Fact]
    public async Task UpdateResourcePolicy_SendsPutWithQueryAndBody()
    {
        using var m = new MockClient();
        m.Http.Expect(HttpMethod.Put, $"{Base}/policy/{Fixtures.EncodedAliasArn}/")
            .WithExactQueryString("expectedRevisionId=5")
            .WithContent("""{"policy":"{\"Statement\":[]}  "}""")
            .Respond("application/json", """{"resourceArn":"arn","revisionId":"6"}""");

        var response = await m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = "{\"Statement\":[]}  ", ExpectedRevisionId = "5" });

        m.Http.VerifyNoOutstandingExpectation();
        Assert.Equal("6", response.RevisionId);
    }

    [Fact]
    public async Task DeleteResourcePolicy_SendsDeleteAndAccepts204WithoutBody()
    {
        using var m = new MockClient();
        m.Http.Expect(HttpMethod.Delete, $"{Base}/policy/{Fixtures.EncodedAliasArn}/")
            .WithExactQueryString("expectedRevisionId=2")
            .With(r => r.Content is null)
            .Respond(HttpStatusCode.NoContent);

        var response = await m.Client.DeleteResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, ExpectedRevisionId = "2" });

        m.Http.VerifyNoOutstandingExpectation();
        Assert.Null(response.ResourceArn);
    }

    [Fact]
    public async Task EveryRequest_CarriesUserAgentNamingThePackage()
    {
        using var m = new MockClient();
        string? ua = null;
        m.Http.When("*").With(r => { ua = r.Headers.UserAgent.ToString(); return true; }).Respond("application/json", "{}");

        await m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });

        Assert.StartsWith("LexV2.ResourcePolicy/", ua);
    }

    [Theory]
    [InlineData("us-east-1", false, false, "https://models-v2-lex.us-east-1.amazonaws.com/")]
    [InlineData("cn-north-1", false, false, "https://models-v2-lex.cn-north-1.amazonaws.com.cn/")]
    [InlineData("us-gov-west-1", true, false, "https://models-v2-lex-fips.us-gov-west-1.amazonaws.com/")]
    [InlineData("eu-west-2", false, true, "https://models-v2-lex.eu-west-2.api.aws/")]
    [InlineData("cn-northwest-1", true, true, "https://models-v2-lex-fips.cn-northwest-1.api.amazonwebservices.com.cn/")]
    public void Endpoint_FollowsPartitionFipsAndDualStack(string region, bool fips, bool dualStack, string expected)
    {
        using var client = new LexPolicyClient(new() { Region = region, UseFips = fips, UseDualStack = dualStack, Credentials = Fixtures.Credentials });
        Assert.Equal(expected, client.Endpoint.ToString());
    }

    [Fact]
    public async Task ServiceUrl_OverridesEndpointAndKeepsItsPath()
    {
        using var m = new MockClient(o => o.ServiceUrl = new Uri("http://127.0.0.1:4566/lex/"));
        m.Http.Expect(HttpMethod.Get, $"http://127.0.0.1:4566/lex/policy/{Fixtures.EncodedAliasArn}/").Respond("application/json", "{}");

        await m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });

        m.Http.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public void ServiceUrl_WithFips_IsAConfigurationError()
    {
        var e = Assert.Throws<ArgumentException>(() => new LexPolicyClient(new() { ServiceUrl = new Uri("http://127.0.0.1:1"), UseFips = true, Credentials = Fixtures.Credentials }));
        Assert.Contains("ServiceUrl", e.Message);
    }

    [Fact]
    public void Region_FallsBackToAwsRegionEnvironmentVariable()
    {
        string? saved = Environment.GetEnvironmentVariable("AWS_REGION");
        try
        {
            Environment.SetEnvironmentVariable("AWS_REGION", "ap-northeast-2");
            using var client = new LexPolicyClient(new() { Credentials = Fixtures.Credentials });
            Assert.Equal("ap-northeast-2", client.SigningRegion);
            Assert.Equal("https://models-v2-lex.ap-northeast-2.amazonaws.com/", client.Endpoint.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_REGION", saved);
        }
    }

    [Fact]
    public void MissingRegion_WithoutServiceUrl_IsAClearConfigurationError()
    {
        string? saved = Environment.GetEnvironmentVariable("AWS_REGION");
        string? savedDefault = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        string? savedConfig = Environment.GetEnvironmentVariable("AWS_CONFIG_FILE");
        try
        {
            Environment.SetEnvironmentVariable("AWS_REGION", null);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", null);
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(Path.GetTempPath(), "lexv2-no-such-config"));
            var e = Assert.Throws<InvalidOperationException>(() => new LexPolicyClient(new() { Credentials = Fixtures.Credentials }));
            Assert.Contains("region", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("ServiceUrl", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_REGION", saved);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", savedDefault);
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", savedConfig);
        }
    }
}

public class WireJsonTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char, 0, 40],
        Gen.String[Gen.OneOfConst('"', '\\', '<', '>', '&', '\'', '+', '`', 'é', '中', '\u2028', '\u202E', '\0', '\t', '\n', '\u007F', '\uD83D', '\uDE00', 'a'), 0, 30]);

    /// <summary>
    /// Request bodies are written through the source generator's fast path with the wire encoder on the writer; the bytes must be
    /// the ones the wire context's own (metadata-driven) serialization writes, for any text in any member.
    /// </summary>
    [Fact]
    public void FastPathBodies_AreByteForByteTheWireContextsBodies()
    {
        Gen.Select(Text, Text, Text, Text, Gen.Bool).Sample((a, b, c, d, service) =>
        {
            var body = new LexV2.ResourcePolicy.Http.CreateStatementBody
            {
                Action = [a, "lex:RecognizeText"],
                Condition = c.Length % 3 == 0 ? null : new Dictionary<string, IReadOnlyDictionary<string, string>> { [c] = new Dictionary<string, string> { [d] = a, ["aws:SourceArn"] = b } },
                Effect = service ? Effect.Allow : Effect.Deny,
                Principal = [service ? Principal.ForService(b) : Principal.ForArn(b), new Principal()],
                StatementId = d,
            };
            var policy = new LexV2.ResourcePolicy.Http.PolicyBody { Policy = a + b + c };
            byte[] expected, actual, expectedPolicy, actualPolicy;
            try
            {
                expected = JsonSerializer.SerializeToUtf8Bytes(body, LexV2.ResourcePolicy.Http.LexJson.Wire.CreateStatementBody);
                expectedPolicy = JsonSerializer.SerializeToUtf8Bytes(policy, LexV2.ResourcePolicy.Http.LexJson.Wire.PolicyBody);
            }
            catch (ArgumentException)
            {
                // Text the wire context refuses (a lone surrogate) must be refused the same way.
                Assert.ThrowsAny<ArgumentException>(() => { LexV2.ResourcePolicy.Http.LexJson.Serialize(body, LexV2.ResourcePolicy.Http.LexJsonContext.Default.CreateStatementBody); LexV2.ResourcePolicy.Http.LexJson.Serialize(policy, LexV2.ResourcePolicy.Http.LexJsonContext.Default.PolicyBody); });
                return;
            }

            actual = LexV2.ResourcePolicy.Http.LexJson.Serialize(body, LexV2.ResourcePolicy.Http.LexJsonContext.Default.CreateStatementBody);
            actualPolicy = LexV2.ResourcePolicy.Http.LexJson.Serialize(policy, LexV2.ResourcePolicy.Http.LexJsonContext.Default.PolicyBody);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedPolicy, actualPolicy);
        }, iter: 3000);
    }

    [Fact]
    public void FastPath_IsTheOneUsed()
    {
        // The default context's options allow the generated serialize handler; the wire context's (custom encoder) do not, which
        // is why bodies are written with the former into a writer carrying the latter's encoder.
        Assert.NotNull(LexV2.ResourcePolicy.Http.LexJsonContext.Default.CreateStatementBody.SerializeHandler);
        Assert.NotNull(LexV2.ResourcePolicy.Http.LexJsonContext.Default.PolicyBody.SerializeHandler);
        Assert.Null(LexV2.ResourcePolicy.Http.LexJsonContext.Default.Options.Encoder);
    }

    [Fact]
    public void LargeBodies_AreWrittenWholeAndDoNotDisturbTheNextOne()
    {
        string big = new('x', 200_000);
        byte[] large = LexV2.ResourcePolicy.Http.LexJson.Serialize(new LexV2.ResourcePolicy.Http.PolicyBody { Policy = big }, LexV2.ResourcePolicy.Http.LexJsonContext.Default.PolicyBody);
        byte[] small = LexV2.ResourcePolicy.Http.LexJson.Serialize(new LexV2.ResourcePolicy.Http.PolicyBody { Policy = "{}" }, LexV2.ResourcePolicy.Http.LexJsonContext.Default.PolicyBody);
        Assert.Equal(big.Length + """{"policy":""}""".Length, large.Length);
        Assert.Equal("""{"policy":"{}"}"""u8.ToArray(), small);
    }
}
