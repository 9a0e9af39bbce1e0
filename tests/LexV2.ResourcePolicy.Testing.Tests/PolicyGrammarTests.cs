namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>Create/UpdateResourcePolicy check policy documents against the IAM policy grammar, answering 400 naming the problem.</summary>
public class PolicyGrammarTests
{
    private const string Bot = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ";
    private const string Allow = """{"Sid":"One","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:RecognizeText","Resource":"*"}""";

    private readonly LexPolicyEmulator _emulator = new();

    private LexPolicyClient Client() => _emulator.CreateClient(o => { o.ValidateRequests = false; o.MaxRetries = 0; });

    /// <summary>(policy, a word the answer must name).</summary>
    public static TheoryData<string, string> InvalidPolicies => new()
    {
        { """{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"lex:*"}]}""", "Effect" },
        { """{"Statement":[]}""", "Statement" },
        { """{"Version":"2012-10-17"}""", "Statement" },
        { """{"Statement":"Allow"}""", "Statement" },
        { """{"Statement":[5]}""", "Statement[0]" },
        { """{"Version":"2012-10-18","Statement":[""" + Allow + "]}", "Version" },
        { """{"Version":20121017,"Statement":[""" + Allow + "]}", "Version" },
        { """{"Statement":[{"Effect":"Allow","Action":"lex:*"}]}""", "Principal" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","NotPrincipal":{"AWS":"*"},"Action":"lex:*"}]}""", "Principal" },
        { """{"Statement":[{"Effect":"Allow","Principal":{"AWS":5},"Action":"lex:*"}]}""", "Principal" },
        { """{"Statement":[{"Effect":"Allow","Principal":{"AWS":[]},"Action":"lex:*"}]}""", "Principal" },
        { """{"Statement":[{"Effect":"Allow","Principal":"someone","Action":"lex:*"}]}""", "Principal" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*"}]}""", "Action" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","NotAction":"lex:Delete*"}]}""", "Action" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":[]}]}""", "Action" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":["lex:*",7]}]}""", "Action" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"RecognizeText"}]}""", "Action" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Resource":"*","NotResource":"*"}]}""", "Resource" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Condition":"yes"}]}""", "Condition" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Condition":{"StringEquals":{"aws:SourceAccount":{"a":1}}}}]}""", "Condition" },
        { """{"Statement":[{"Sid":7,"Effect":"Allow","Principal":"*","Action":"lex:*"}]}""", "Sid" },
        { """{"Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"lex:*"},{"Sid":"a","Effect":"Deny","Principal":"*","Action":"lex:*"}]}""", "Sid" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Actions":"lex:*"}]}""", "Actions" },
        { """{"Version":"2012-10-17","Statement":[""" + Allow + """],"Extra":1}""", "Extra" },
        { Conditioned("""{"StringEqualz":{"aws:SourceAccount":"123456789012"}}"""), "Invalid Condition type: StringEqualz" },
        { Conditioned("""{"NullIfExists":{"aws:SourceVpc":"true"}}"""), "Invalid Condition type: NullIfExists" },
        { Conditioned("""{"ForAllValue:StringEquals":{"aws:TagKeys":"a"}}"""), "Invalid Condition type: ForAllValue:StringEquals" },
        { Conditioned("""{"NumericLessThan":{"aws:MultiFactorAuthAge":"an hour"}}"""), "'an hour' is not a number" },
        { Conditioned("""{"DateLessThan":{"aws:CurrentTime":["2026-01-01","next week"]}}"""), "'next week' is not an ISO 8601 date" },
        { Conditioned("""{"Bool":{"aws:SecureTransport":"yes"}}"""), "'yes' is not true or false" },
        { Conditioned("""{"IpAddress":{"aws:SourceIp":"10.0.0.0/40"}}"""), "is not an IP address or CIDR range" },
        { """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:RecognizeText"}]}""", "$.Statement[0].Principal: an Allow for a wildcard principal" },
        { """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"lex:*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}""", "$.Statement[0].Principal: an Allow for a wildcard principal" },
        { """{"Statement":[""" + Allow + """,{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Action":"lex:*"}]}""", "$.Statement[1].Principal: an Allow for a wildcard principal" },
        { """{"Statement":[""" + Allow + """,{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*"}]}""", "$.Statement[1].NotPrincipal: an Allow for a wildcard principal" },
    };

    private static string Conditioned(string condition) =>
        """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*","Condition":""" + condition + "}]}";

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task CreateResourcePolicy_WithAPolicyOutsideTheIamGrammar_IsValidationException_NamingTheProblem(string policy, string named)
    {
        using var client = Client();
        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy }));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Null(_emulator.GetPolicy(Bot));
    }

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public async Task UpdateResourcePolicy_WithAPolicyOutsideTheIamGrammar_IsValidationException(string policy, string named)
    {
        using var client = Client();
        await client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = "{\"Statement\":[" + Allow + "]}" });
        var e = await Assert.ThrowsAsync<ValidationException>(() => client.UpdateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy }));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Equal("1", _emulator.GetPolicy(Bot)!.RevisionId);
    }

    public static TheoryData<string> ValidPolicies => new()
    {
        """{"Version":"2012-10-17","Statement":""" + Allow + "}",
        """{"Version":"2008-10-17","Id":"p1","Statement":[""" + Allow + "]}",
        """{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:role/a"]},"NotAction":["lex:Delete*"],"NotResource":"*"}]}""",
        """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Condition":{"StringEquals":{"aws:SourceAccount":["123456789012"]},"Bool":{"aws:SecureTransport":true}}}]}""",
        """{"Statement":[{"Effect":"Allow","Principal":{"Service":"connect.amazonaws.com","AWS":"arn:aws:iam::123456789012:role/a"},"Action":"lex:Recognize*"},{"Sid":"Two","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:DeleteSession"}]}""",
        """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:PrincipalTag/team":["a*","b*"]},"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},"Null":{"aws:SourceVpc":"true"},"BinaryEquals":{"aws:UserAgent":"QmluYXJ5"},"ArnNotLikeIfExists":{"aws:SourceArn":"arn:aws:connect:*:123456789012:instance/*"}}}]}""",
    };

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public async Task CreateResourcePolicy_WithAPolicyInTheIamGrammar_IsAccepted(string policy)
    {
        using var client = Client();
        var created = await client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy });
        Assert.NotNull(created.RevisionId);
    }

    [Fact]
    public async Task SingleObjectStatement_IsKept_AndAStatementAddedLaterJoinsItInAList()
    {
        using var client = Client();
        string policy = """{"Version":"2012-10-17","Statement":""" + Allow + "}";
        await client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy });
        Assert.Equal(policy, (await client.DescribeResourcePolicyAsync(new() { ResourceArn = Bot })).Policy);

        await client.CreateResourcePolicyStatementAsync(new()
        {
            ResourceArn = Bot, StatementId = "Two", Effect = Effect.Allow,
            Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/b")], Action = ["lex:DescribeBot"],
        });

        var document = PolicyDocument.Parse((await client.DescribeResourcePolicyAsync(new() { ResourceArn = Bot })).Policy!);
        Assert.Equal(["One", "Two"], document.Statement.Select(s => s.Sid));
        Assert.Equal(2, _emulator.GetPolicy(Bot)!.StatementCount);
    }
}
