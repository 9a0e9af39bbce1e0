using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Validation;

/// <summary>
/// Conditions follow the IAM grammar before anything is sent: operator names (with IfExists and the set prefixes), values of
/// the operator's type, and the service-principal rule counting aws:SourceAccount / aws:SourceArn only under operators that
/// pin the value; for statements and for whole documents alike.
/// </summary>
public class ConditionGrammarValidationTests
{
    private const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/abc";

    private static CreateResourcePolicyStatementRequest WithConditions(params (string Op, string Key, string Value)[] entries) =>
        Fixtures.ConnectGrant() with
        {
            Condition = entries.GroupBy(e => e.Op).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(e => e.Key, e => e.Value)),
        };

    private static CreateResourcePolicyStatementRequest Connect(params (string Op, string Key, string Value)[] extra) =>
        WithConditions([("StringEquals", "aws:SourceAccount", Fixtures.Account), ("ArnEquals", "aws:SourceArn", Instance), .. extra]);

    private static async Task<RequestValidationException> RefusedAsync(Func<LexPolicyClient, Task> call)
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));
        return await Assert.ThrowsAsync<RequestValidationException>(() => call(m.Client));
    }

    [Fact]
    public async Task MisspelledOperator_IsRefused_NamingTheOperatorItsPathAndTheNearestOperator()
    {
        var e = await RefusedAsync(c => c.CreateResourcePolicyStatementAsync(WithConditions(("StringEqualz", "aws:SourceAccount", Fixtures.Account), ("ArnEquals", "aws:SourceArn", Instance))));

        var v = Assert.Single(e.Violations, v => v.MemberPath == "Condition[\"StringEqualz\"]");
        Assert.Contains("'StringEqualz' is not an IAM condition operator; did you mean 'StringEquals'?", v.Rule, StringComparison.Ordinal);
        Assert.Contains("Condition[\"StringEqualz\"]: 'StringEqualz' is not an IAM condition operator", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MisspelledOperator_NoLongerSatisfiesTheServicePrincipalRule()
    {
        // Before #20 the rule accepted aws:SourceAccount under any operator name, this one included.
        var e = await RefusedAsync(c => c.CreateResourcePolicyStatementAsync(WithConditions(("StringEqualz", "aws:SourceAccount", Fixtures.Account), ("ArnEquals", "aws:SourceArn", Instance))));

        Assert.Contains(e.Violations, v => v.MemberPath == "Condition" && v.Rule.Contains("an aws:SourceAccount condition key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("NullIfExists", "IfExists cannot be added to Null")]
    [InlineData("ForAnyValues:StringEquals", "did you mean 'ForAnyValue:StringEquals'?")]
    [InlineData("stringEquals", "did you mean 'StringEquals'?")]
    [InlineData("StringEqualsIfExist", "did you mean 'StringEqualsIfExists'?")]
    [InlineData("Boolean", "did you mean 'Bool'?")]
    [InlineData("Whatever", "expected String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* or Null")]
    public async Task OperatorOutsideTheGrammar_IsRefused_WithItsProblem(string op, string expected)
    {
        var e = await RefusedAsync(c => c.CreateResourcePolicyStatementAsync(Connect((op, "aws:PrincipalTag/team", "true"))));

        Assert.Contains(expected, Assert.Single(e.Violations, v => v.MemberPath == $"Condition[\"{op}\"]").Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ForAnyValue:StringLikeIfExists", "aws:PrincipalTag/team", "a*")]
    [InlineData("ForAllValues:StringEquals", "aws:TagKeys", "team")]
    [InlineData("NumericLessThanEquals", "aws:MultiFactorAuthAge", "3600")]
    [InlineData("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z")]
    [InlineData("DateLessThan", "aws:EpochTime", "1767225600")]
    [InlineData("Bool", "aws:SecureTransport", "true")]
    [InlineData("BoolIfExists", "aws:MultiFactorAuthPresent", "${aws:SecureTransport}")]
    [InlineData("Null", "aws:SourceVpc", "false")]
    [InlineData("BinaryEquals", "aws:UserAgent", "QmluYXJ5")]
    [InlineData("IpAddress", "aws:SourceIp", "203.0.113.0/24")]
    [InlineData("NotIpAddressIfExists", "aws:SourceIp", "2001:db8::/32")]
    [InlineData("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/*")]
    public async Task EveryOperatorFamily_WithAValueOfItsType_IsSent(string op, string key, string value)
    {
        using var m = new MockClient();
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.CreateResourcePolicyStatementAsync(Connect((op, key, value)));
    }

    [Theory]
    [InlineData("NumericLessThan", "aws:MultiFactorAuthAge", "an hour", "must be a number")]
    [InlineData("DateGreaterThan", "aws:CurrentTime", "tomorrow", "must be an ISO 8601 date")]
    [InlineData("Bool", "aws:SecureTransport", "yes", "must be true or false")]
    [InlineData("Null", "aws:SourceVpc", "1", "must be true or false")]
    [InlineData("BinaryEquals", "aws:UserAgent", "not base64!", "must be base64-encoded bytes")]
    [InlineData("IpAddress", "aws:SourceIp", "203.0.113.0/33", "must be an IPv4 or IPv6 address or CIDR range")]
    public async Task ValueOfTheWrongType_IsRefused_AtTheKeysPath(string op, string key, string value, string expected)
    {
        var e = await RefusedAsync(c => c.CreateResourcePolicyStatementAsync(Connect((op, key, value))));

        var v = Assert.Single(e.Violations, v => v.MemberPath == $"Condition[\"{op}\"][\"{key}\"]");
        Assert.Contains(expected, v.Rule, StringComparison.Ordinal);
        Assert.Contains($"for {op} (was '{value}')", v.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StringEqualsIfExists", "ArnEquals")]
    [InlineData("StringNotEquals", "ArnEquals")]
    [InlineData("ForAnyValue:StringEquals", "ArnEquals")]
    [InlineData("StringEquals", "ArnLikeIfExists")]
    [InlineData("StringEquals", "ArnNotLike")]
    [InlineData("StringEquals", "ForAllValues:ArnEquals")]
    public async Task ServicePrincipal_WithASourceKeyUnderAnOperatorThatDoesNotPinIt_IsRefused(string accountOperator, string arnOperator)
    {
        var e = await RefusedAsync(c => c.CreateResourcePolicyStatementAsync(WithConditions((accountOperator, "aws:SourceAccount", Fixtures.Account), (arnOperator, "aws:SourceArn", Instance))));

        var v = Assert.Single(e.Violations, v => v.MemberPath == "Condition");
        Assert.Contains("each under an operator that pins its value", v.Rule, StringComparison.Ordinal);
        Assert.Contains("does not pin it", v.Rule, StringComparison.Ordinal);
    }

    /// <summary>
    /// A pinning operator with a value that names no one source does not scope the grant: <c>ArnLike aws:SourceArn "*"</c> is
    /// true for every caller that has a source ARN at all, and a wildcard in the account lets another account's resource in.
    /// </summary>
    [Theory]
    [InlineData("StringLike", "*", "ArnLike", Instance, "aws:SourceAccount under StringLike is '*'")]
    [InlineData("StringLike", "12345678901?", "ArnLike", Instance, "aws:SourceAccount under StringLike is '12345678901?'")]
    [InlineData("StringEquals", "${aws:SourceAccount}", "ArnEquals", Instance, "aws:SourceAccount under StringEquals is '${aws:SourceAccount}'")]
    [InlineData("StringEquals", Fixtures.Account, "ArnLike", "*", "aws:SourceArn under ArnLike is '*'")]
    [InlineData("StringEquals", Fixtures.Account, "ArnEquals", "*", "aws:SourceArn under ArnEquals is '*'")]
    [InlineData("StringEquals", Fixtures.Account, "StringLike", "arn:*", "aws:SourceArn under StringLike is 'arn:*'")]
    [InlineData("StringEquals", Fixtures.Account, "ArnLike", "arn:aws:connect:*:*:*", "aws:SourceArn under ArnLike is 'arn:aws:connect:*:*:*'")]
    [InlineData("StringEquals", Fixtures.Account, "ArnLike", "arn:aws:connect:us-east-1:${aws:PrincipalAccount}:instance/*", "aws:SourceArn under ArnLike is")]
    public async Task ServicePrincipal_WithASourceKeyWhoseValueNamesNoOneSource_IsRefused(string accountOperator, string account, string arnOperator, string arn, string named)
    {
        var e = await RefusedAsync(c => c.CreateResourcePolicyStatementAsync(WithConditions((accountOperator, "aws:SourceAccount", account), (arnOperator, "aws:SourceArn", arn))));

        var v = Assert.Single(e.Violations, v => v.MemberPath == "Condition");
        Assert.Contains(named, v.Rule, StringComparison.Ordinal);
        Assert.Contains("which does not pin it: a value pins the key when it names one source", v.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StringLike", Fixtures.Account, "ArnLike", "arn:aws:connect:*:123456789012:instance/*")]
    [InlineData("StringEquals", Fixtures.Account, "ArnLike", "arn:aws:connect:us-east-1:123456789012:*")]
    [InlineData("StringEquals", Fixtures.Account, "ArnEquals", "arn:aws:s3:::my-bucket")] // an ARN without an account field
    public async Task ServicePrincipal_WithAWildcardOnlyOutsideTheAccount_IsSent(string accountOperator, string account, string arnOperator, string arn)
    {
        using var m = new MockClient();
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.CreateResourcePolicyStatementAsync(WithConditions((accountOperator, "aws:SourceAccount", account), (arnOperator, "aws:SourceArn", arn)));
    }

    [Theory]
    [InlineData("StringEquals", "ArnEquals")]
    [InlineData("StringLike", "ArnLike")]
    [InlineData("StringEquals", "StringEquals")]
    [InlineData("StringLike", "StringLike")]
    public async Task ServicePrincipal_WithBothSourceKeysUnderPinningOperators_IsSent(string accountOperator, string arnOperator)
    {
        using var m = new MockClient();
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.CreateResourcePolicyStatementAsync(WithConditions((accountOperator, "aws:SourceAccount", Fixtures.Account), (arnOperator, "aws:SourceArn", Instance)));
    }

    [Fact]
    public async Task Document_WithAMisspelledOperator_IsRefused_NamingTheStatementTheOperatorAndTheSuggestion()
    {
        const string policy = """{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:RecognizeText","Condition":{"StringEqualz":{"aws:SourceAccount":"123456789012"}}}]}""";

        var created = await RefusedAsync(c => c.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy }));
        var updated = await RefusedAsync(c => c.UpdateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy }));

        foreach (var e in new[] { created, updated })
        {
            var v = Assert.Single(e.Violations);
            Assert.Equal("Policy.Statement[0].Condition[\"StringEqualz\"]", v.MemberPath);
            Assert.Contains("did you mean 'StringEquals'?", v.Rule, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Document_WithValuesOfTheWrongType_NamesEachValue_ListItemsByIndex()
    {
        const string policy = """{"Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":[3600,"soon"]},"Bool":{"aws:SecureTransport":false}}}]}""";

        var e = await RefusedAsync(c => c.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy }));

        var v = Assert.Single(e.Violations);
        Assert.Equal("Policy.Statement[0].Condition[\"NumericLessThan\"][\"aws:MultiFactorAuthAge\"][1]", v.MemberPath);
        Assert.Contains("must be a number", v.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{]", "is not an IAM policy document: Invalid policy at $")]
    [InlineData("""{"Statement":[{"Effect":"Maybe"}]}""", "must be Allow or Deny")]
    [InlineData("""{"Version":"2012-10-17"}""", "$.Statement: is required")]
    public async Task Document_TheGrammarCannotRead_IsRefused_WithTheReadersPath(string policy, string expected)
    {
        var e = await RefusedAsync(c => c.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = policy }));

        Assert.Contains(expected, Assert.Single(e.Violations, v => v.MemberPath == "Policy").Rule, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidationOff_SendsADocumentOutsideTheGrammar()
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.CreateResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn, Policy = """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Condition":{"StringEqualz":{"k":"v"}}}]}""" });
    }
}
