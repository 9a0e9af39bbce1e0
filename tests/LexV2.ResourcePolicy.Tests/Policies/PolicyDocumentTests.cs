using System.Text.Json.Nodes;

namespace LexV2.ResourcePolicy.Tests.Policies;

public class PolicyDocumentTests
{
    // What DescribeResourcePolicy returns: compact, lists, both principal kinds, several condition operators.
    private const string ServiceShaped = """{"Version":"2012-10-17","Statement":[{"Sid":"AllowConnect","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":["lex:RecognizeText","lex:StartConversation"],"Resource":"arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnEquals":{"aws:SourceArn":"arn:aws:connect:us-east-1:123456789012:instance/abc"}}},{"Sid":"DenyOthers","Effect":"Deny","Principal":{"AWS":["arn:aws:iam::123456789012:role/a","arn:aws:iam::123456789012:root"]},"Action":"lex:DeleteSession","Resource":"*"}]}""";

    // What a person writes: single-string forms, a single statement object, wildcard principal, NotAction/NotResource, scalar condition values.
    private const string HandWritten = """{"Version":"2012-10-17","Id":"p1","Statement":{"Effect":"Deny","Principal":"*","NotAction":"lex:Recognize*","NotResource":["arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ"],"Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"ForAnyValue:StringLike":{"aws:PrincipalTag/team":["a*","b*"]}}}}""";

    // An identity-based policy: no Principal.
    private const string IdentityBased = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lex:CreateResourcePolicyStatement","lex:UpdateResourcePolicy"],"Resource":"arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ"}]}""";

    [Theory]
    [InlineData(ServiceShaped)]
    [InlineData(HandWritten)]
    [InlineData(IdentityBased)]
    public void Parse_ThenToJson_RoundTripsExactly(string json)
    {
        var doc = PolicyDocument.Parse(json);
        Assert.Equal(json, doc.ToJson());
        Assert.Equal(doc, PolicyDocument.Parse(doc.ToJson(indented: true)));
    }

    [Fact]
    public void Parse_ExposesTypedElements()
    {
        var doc = PolicyDocument.Parse(ServiceShaped);
        var allow = doc.Statement[0];
        Assert.Equal(Effect.Allow, allow.Effect);
        Assert.Equal(["connect.amazonaws.com"], allow.Principal!.Service!);
        Assert.True(allow.Principal.Service!.IsSingle);
        Assert.Equal(2, allow.Action!.Count);
        Assert.Equal("123456789012", allow.Condition!["StringEquals"]["aws:SourceAccount"][0]);
        var deny = doc.Statement[1];
        Assert.Equal(2, deny.Principal!.Aws!.Count);
        Assert.True(deny.Action!.IsSingle);

        var hand = PolicyDocument.Parse(HandWritten);
        Assert.True(hand.Statement[0].Principal!.IsAnyone);
        Assert.Equal("false", hand.Statement[0].Condition!["Bool"]["aws:SecureTransport"][0]);
    }

    [Fact]
    public void Built_WithObjectInitializers_SerializesAsIamExpects()
    {
        var doc = new PolicyDocument
        {
            Statement =
            [
                new PolicyStatement
                {
                    Sid = "AllowConnect",
                    Effect = Effect.Allow,
                    Principal = PolicyPrincipal.ForService("connect.amazonaws.com"),
                    Action = PolicyValues.Many("lex:RecognizeText", "lex:StartConversation"),
                    Resource = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID",
                    Condition = new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>
                    {
                        ["StringEquals"] = new Dictionary<string, PolicyValues> { ["aws:SourceAccount"] = "123456789012" },
                        ["ArnEquals"] = new Dictionary<string, PolicyValues> { ["aws:SourceArn"] = "arn:aws:connect:us-east-1:123456789012:instance/abc" },
                    },
                },
                new PolicyStatement { Sid = "DenyOthers", Effect = Effect.Deny, Principal = PolicyPrincipal.ForAws("arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:root"), Action = "lex:DeleteSession", Resource = "*" },
            ],
        };

        Assert.Equal(ServiceShaped, doc.ToJson());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ServiceShaped), JsonNode.Parse(doc.ToJson(indented: true))));
    }

    [Theory]
    [InlineData("""{"Version":"2012-10-17"}""", "$.Statement")]
    [InlineData("""{"Statement":[{"Effect":"Maybe"}]}""", "$.Statement[0].Effect")]
    [InlineData("""{"Statement":[{"Effect":"Allow"},{"Sid":"x"}]}""", "$.Statement[1].Effect")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":["lex:A",5]}]}""", "$.Statement[0].Action[1]")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Principal":"someone"}]}""", "$.Statement[0].Principal")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Principal":{"User":"x"}}]}""", "$.Statement[0].Principal.User")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":"x"}}]}""", "$.Statement[0].Condition.StringEquals")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Actions":"lex:A"}]}""", "$.Statement[0].Actions")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"a","NotAction":"b"}]}""", "$.Statement[0]")]
    [InlineData("""[1]""", "$")]
    [InlineData("""{"Statement": [""", "$ (line 1")]
    public void ParseErrors_NameTheJsonPath(string json, string path)
    {
        var e = Assert.Throws<PolicyFormatException>(() => PolicyDocument.Parse(json));
        Assert.StartsWith(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.False(PolicyDocument.TryParse(json, out _, out string? error));
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void Equality_IgnoresConditionOrder_ButNotValues()
    {
        var a = PolicyDocument.Parse(ServiceShaped);
        var reordered = PolicyDocument.Parse(ServiceShaped.Replace("""{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnEquals":{"aws:SourceArn":"arn:aws:connect:us-east-1:123456789012:instance/abc"}}""", """{"ArnEquals":{"aws:SourceArn":"arn:aws:connect:us-east-1:123456789012:instance/abc"},"StringEquals":{"aws:SourceAccount":"123456789012"}}""", StringComparison.Ordinal));
        var changed = PolicyDocument.Parse(ServiceShaped.Replace("instance/abc", "instance/xyz", StringComparison.Ordinal));
        Assert.Equal(a, reordered);
        Assert.NotEqual(a, changed);
    }
}
