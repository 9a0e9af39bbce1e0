using static LexV2.ResourcePolicy.Tests.Evaluation.EvaluationFixtures;

namespace LexV2.ResourcePolicy.Tests.Evaluation;

/// <summary>
/// "IAM JSON policy elements: Condition operators" and "Single-valued vs. multivalued context keys", one documented rule per
/// test: every operator, IfExists, the ForAnyValue:/ForAllValues: qualifiers, what each does when the key is missing, and
/// policy variables in condition values.
/// </summary>
[Trait("Issue", "23")]
public class ConditionEvaluationTests
{
    /// <summary>Whether an Allow statement with this one condition (operator → key → values) allows a request with this context.</summary>
    private static bool Holds(string op, string key, string[] values, params (string Key, string[] Values)[] context) =>
        Evaluate(op, key, values, context).IsAllowed;

    private static AccessDecision Evaluate(string op, string key, string[] values, params (string Key, string[] Values)[] context) =>
        Evaluate(op, key, values, context, "2012-10-17");

    private static AccessDecision Evaluate(string op, string key, string[] values, (string Key, string[] Values)[] context, string version)
    {
        string json = "[" + string.Join(",", values.Select(v => "\"" + System.Text.Json.JsonEncodedText.Encode(v) + "\"")) + "]";
        var policy = PolicyDocument.Parse($$"""{"Version":"{{version}}","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{Role}}"},"Action":"lex:*","Resource":"*","Condition":{"{{op}}":{"{{key}}":{{json}}""" + "}}}]}");
        return PolicyEvaluator.Evaluate(policy, Request(Role, context: context));
    }

    private static (string, string[]) C(string key, params string[] values) => (key, values);

    [Theory]
    [InlineData("StringEquals", "o-abc", "o-abc", true)]
    [InlineData("StringEquals", "o-abc", "O-ABC", false)]
    [InlineData("StringNotEquals", "o-abc", "o-xyz", true)]
    [InlineData("StringNotEquals", "o-abc", "o-abc", false)]
    [InlineData("StringEqualsIgnoreCase", "o-abc", "O-ABC", true)]
    [InlineData("StringEqualsIgnoreCase", "o-abc", "o-abd", false)]
    [InlineData("StringNotEqualsIgnoreCase", "o-abc", "O-ABC", false)]
    [InlineData("StringNotEqualsIgnoreCase", "o-abc", "o-abd", true)]
    [InlineData("StringLike", "o-a*", "o-abc", true)]
    [InlineData("StringLike", "o-?bc", "o-xbc", true)]
    [InlineData("StringLike", "o-a*", "O-ABC", false)] // StringLike is case-sensitive
    [InlineData("StringLike", "o-a?", "o-abc", false)]
    [InlineData("StringNotLike", "o-a*", "o-abc", false)]
    [InlineData("StringNotLike", "o-a*", "o-xyz", true)]
    public void StringOperators(string op, string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds(op, "aws:PrincipalOrgID", [policy], C("aws:PrincipalOrgID", request)));

    [Theory]
    [InlineData("NumericEquals", "10", "10.0", true)]
    [InlineData("NumericEquals", "10", "11", false)]
    [InlineData("NumericNotEquals", "10", "11", true)]
    [InlineData("NumericNotEquals", "10", "10", false)]
    [InlineData("NumericLessThan", "3600", "3599", true)]
    [InlineData("NumericLessThan", "3600", "3600", false)]
    [InlineData("NumericLessThanEquals", "3600", "3600", true)]
    [InlineData("NumericLessThanEquals", "3600", "3601", false)]
    [InlineData("NumericGreaterThan", "-1.5", "-1", true)]
    [InlineData("NumericGreaterThan", "-1.5", "-1.5", false)]
    [InlineData("NumericGreaterThanEquals", "2.25", "2.25", true)]
    [InlineData("NumericGreaterThanEquals", "2.25", "2.24", false)]
    [InlineData("NumericEquals", "10", "ten", false)] // a value that is not a number compares false
    public void NumericOperators(string op, string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds(op, "aws:MultiFactorAuthAge", [policy], C("aws:MultiFactorAuthAge", request)));

    [Theory]
    [InlineData("DateEquals", "2026-12-31T00:00:00Z", "2026-12-31", true)]
    [InlineData("DateEquals", "2026-12-31T00:00:00Z", "2026-12-31T00:00:01Z", false)]
    [InlineData("DateNotEquals", "2026-12-31", "2027-01-01", true)]
    [InlineData("DateLessThan", "2027-01-01T00:00:00Z", "2026-12-31T23:59:59Z", true)]
    [InlineData("DateLessThan", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", false)]
    [InlineData("DateLessThanEquals", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThan", "2027-01-01T00:00:00Z", "2027-01-01T01:00:00+02:00", false)] // offsets compare as instants: 23:00Z
    [InlineData("DateGreaterThan", "2027-01-01T00:00:00Z", "2027-01-01T03:00:00+02:00", true)]
    [InlineData("DateGreaterThanEquals", "1798761600", "2027-01-01T00:00:00Z", true)] // epoch seconds
    [InlineData("DateGreaterThanEquals", "1798761600", "1798761599", false)]
    public void DateOperators_IsoAndEpoch(string op, string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds(op, "aws:CurrentTime", [policy], C("aws:CurrentTime", request)));

    [Theory]
    [InlineData("true", "true", true)]
    [InlineData("true", "TRUE", true)]
    [InlineData("true", "false", false)]
    [InlineData("false", "false", true)]
    [InlineData("true", "yes", false)]
    public void BoolOperator(string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds("Bool", "aws:SecureTransport", [policy], C("aws:SecureTransport", request)));

    [Theory]
    [InlineData("QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", true)]
    [InlineData("QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWF=", false)]
    [InlineData("QmluYXJ5VmFsdWU=", "not base64", false)]
    public void BinaryEqualsOperator(string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds("BinaryEquals", "s3:x-amz-server-side-encryption-customer-key-MD5", [policy], C("s3:x-amz-server-side-encryption-customer-key-MD5", request)));

    [Theory]
    [InlineData("IpAddress", "203.0.113.0/24", "203.0.113.77", true)]
    [InlineData("IpAddress", "203.0.113.0/24", "203.0.114.1", false)]
    [InlineData("IpAddress", "203.0.113.9", "203.0.113.9", true)]      // a bare address is a /32
    [InlineData("IpAddress", "10.1.2.3/8", "10.200.0.1", true)]        // host bits beyond the prefix are masked
    [InlineData("IpAddress", "2001:db8::/32", "2001:db8:1234::1", true)]
    [InlineData("IpAddress", "2001:db8::/32", "2001:db9::1", false)]
    [InlineData("IpAddress", "2001:db8::/32", "203.0.113.1", false)]   // another family never matches
    [InlineData("NotIpAddress", "203.0.113.0/24", "198.51.100.1", true)]
    [InlineData("NotIpAddress", "203.0.113.0/24", "203.0.113.1", false)]
    [InlineData("NotIpAddress", "2001:db8::/32", "2001:db8::5", false)]
    public void IpAddressOperators_V4AndV6(string op, string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds(op, "aws:SourceIp", [policy], C("aws:SourceIp", request)));

    [Theory]
    [InlineData("ArnEquals", Instance, Instance, true)]
    [InlineData("ArnEquals", "arn:aws:connect:us-east-1:123456789012:instance/*", Instance, true)] // ArnEquals takes wildcards as ArnLike does
    [InlineData("ArnLike", "arn:aws:connect:*:123456789012:instance/*", Instance, true)]
    [InlineData("ArnLike", "arn:aws:connect:us-east-?:*:instance/abc", Instance, true)]
    [InlineData("ArnLike", "arn:aws:connect:*:instance/abc", Instance, false)]  // per part: * does not span region and account
    [InlineData("ArnLike", "arn:aws:connect:us-east-1:123456789012:INSTANCE/abc", Instance, false)] // case-sensitive
    [InlineData("ArnLike", "arn:aws:connect:us-east-1:123456789012:instance/abc", "arn:aws:connect:us-east-1:123456789012:instance/abc/contact-flow/x", false)]
    [InlineData("ArnLike", "arn:aws:connect:us-east-1:123456789012:instance/abc*", "arn:aws:connect:us-east-1:123456789012:instance/abc/contact-flow/x:y", true)] // the resource part may hold colons
    [InlineData("ArnNotEquals", Instance, "arn:aws:connect:us-east-1:123456789012:instance/zzz", true)]
    [InlineData("ArnNotEquals", Instance, Instance, false)]
    [InlineData("ArnNotLike", "arn:aws:connect:*:*:instance/*", Instance, false)]
    [InlineData("ArnNotLike", "arn:aws:lambda:*:*:function:*", Instance, true)]
    public void ArnOperators_MatchEachOfTheSixPartsOnItsOwn(string op, string policy, string request, bool holds) =>
        Assert.Equal(holds, Holds(op, "aws:SourceArn", [policy], C("aws:SourceArn", request)));

    public static TheoryData<string> PositiveOperators => new(
        "StringEquals", "StringEqualsIgnoreCase", "StringLike", "NumericEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "ArnEquals", "ArnLike");

    public static TheoryData<string> NegatedOperators => new(
        "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike");

    [Theory]
    [MemberData(nameof(PositiveOperators))]
    public void MissingKey_PositiveOperator_DoesNotHold(string op)
    {
        var decision = Evaluate(op, "aws:SomeKey", ["1"]);
        Assert.False(decision.IsAllowed);
        Assert.Equal("Condition", decision.Statements[0].Element);
        Assert.EndsWith("the request has no aws:SomeKey", decision.Statements[0].Reason, StringComparison.Ordinal);
        Assert.Equal(["aws:SomeKey"], decision.MissingContextKeys);
    }

    [Theory]
    [MemberData(nameof(NegatedOperators))]
    public void MissingKey_NegatedOperator_Holds(string op) => Assert.True(Holds(op, "aws:SomeKey", ["1"]));

    [Theory]
    [MemberData(nameof(PositiveOperators))]
    [MemberData(nameof(NegatedOperators))]
    public void MissingKey_IfExists_Holds(string op) => Assert.True(Holds(op + "IfExists", "aws:SomeKey", ["1"]));

    [Fact]
    public void PresentKey_IfExists_ComparesAsWithoutIt()
    {
        Assert.True(Holds("StringEqualsIfExists", "aws:PrincipalOrgID", ["o-abc"], C("aws:PrincipalOrgID", "o-abc")));
        var decision = Evaluate("StringEqualsIfExists", "aws:PrincipalOrgID", ["o-abc"], C("aws:PrincipalOrgID", "o-xyz"));
        Assert.False(decision.IsAllowed);
        Assert.Equal("Condition StringEqualsIfExists aws:PrincipalOrgID: expected o-abc (if the key is present), the request has o-xyz", decision.Statements[0].Reason);
    }

    [Fact]
    public void NullOperator_TrueMeansAbsent_FalseMeansPresent()
    {
        Assert.True(Holds("Null", "aws:TokenIssueTime", ["true"]));
        Assert.False(Holds("Null", "aws:TokenIssueTime", ["true"], C("aws:TokenIssueTime", "2026-01-01T00:00:00Z")));
        Assert.True(Holds("Null", "aws:TokenIssueTime", ["false"], C("aws:TokenIssueTime", "2026-01-01T00:00:00Z")));
        Assert.False(Holds("Null", "aws:TokenIssueTime", ["false"]));
        Assert.True(Holds("Null", "aws:TokenIssueTime", ["true"], C("aws:TokenIssueTime"))); // a key with no values is absent
        Assert.Equal("Condition Null aws:TokenIssueTime: expected the key to be present, the request has no aws:TokenIssueTime",
            Evaluate("Null", "aws:TokenIssueTime", ["false"]).Statements[0].Reason);
    }

    [Fact]
    public void ValuesUnderOneKey_AreAlternatives_KeysAndOperatorsMustAllHold()
    {
        Assert.True(Holds("StringEquals", "aws:PrincipalOrgID", ["o-1", "o-2"], C("aws:PrincipalOrgID", "o-2")));
        Assert.False(Holds("StringNotEquals", "aws:PrincipalOrgID", ["o-1", "o-2"], C("aws:PrincipalOrgID", "o-2")));
        Assert.True(Holds("StringNotEquals", "aws:PrincipalOrgID", ["o-1", "o-2"], C("aws:PrincipalOrgID", "o-3")));

        var policy = Policy(Statement("Allow", Aws(Role), condition: """{"StringEquals":{"aws:PrincipalOrgID":"o-1","aws:SourceVpc":"vpc-1"},"Bool":{"aws:SecureTransport":"true"}}"""));
        (string, string[])[] all = [C("aws:PrincipalOrgID", "o-1"), C("aws:SourceVpc", "vpc-1"), C("aws:SecureTransport", "true")];
        Assert.True(PolicyEvaluator.Evaluate(policy, Request(Role, context: all)).IsAllowed);
        for (int drop = 0; drop < all.Length; drop++)
        {
            var decision = PolicyEvaluator.Evaluate(policy, Request(Role, context: [.. all.Where((_, i) => i != drop)]));
            Assert.False(decision.IsAllowed);
            Assert.Contains(all[drop].Item1, decision.Statements[0].Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ContextKeys_AreCaseInsensitive()
    {
        Assert.True(Holds("StringEquals", "AWS:PRINCIPALORGID", ["o-1"], C("aws:principalorgid", "o-1")));
        var request = Request(Role, context: [C("aws:SourceArn", Instance)]);
        Assert.Equal(["arn:aws:connect:us-east-1:123456789012:instance/abc"], request.Context["AWS:SOURCEARN"]);
    }

    [Fact]
    public void UnqualifiedOperator_OnAMultivaluedKey_HoldsWhenAnyValueMatches_AndItsNegationWhenNoneDoes()
    {
        var tags = C("aws:PrincipalTag/team", "blue", "green");
        Assert.True(Holds("StringEquals", "aws:PrincipalTag/team", ["green"], tags));
        Assert.False(Holds("StringEquals", "aws:PrincipalTag/team", ["red"], tags));
        Assert.False(Holds("StringNotEquals", "aws:PrincipalTag/team", ["green"], tags));
        Assert.True(Holds("StringNotEquals", "aws:PrincipalTag/team", ["red"], tags));
    }

    [Fact]
    public void ForAnyValue_HoldsWhenSomeRequestValueMatches_AndNotForAMissingKey()
    {
        var tags = C("aws:TagKeys", "env", "team");
        Assert.True(Holds("ForAnyValue:StringEquals", "aws:TagKeys", ["team", "owner"], tags));
        Assert.False(Holds("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], tags));
        Assert.False(Holds("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"]));
        Assert.False(Holds("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], C("aws:TagKeys")));
        Assert.True(Holds("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["owner"]));
        // Negated: some request value matches none of the policy's.
        Assert.True(Holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env"], tags));
        Assert.False(Holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env", "team"], tags));
        Assert.False(Holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env"]));
    }

    [Fact]
    public void ForAllValues_HoldsWhenEveryRequestValueMatches_AndForAMissingOrEmptyKey()
    {
        var tags = C("aws:TagKeys", "env", "team");
        Assert.True(Holds("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team", "owner"], tags));
        Assert.False(Holds("ForAllValues:StringEquals", "aws:TagKeys", ["env"], tags));
        Assert.True(Holds("ForAllValues:StringEquals", "aws:TagKeys", ["env"]));
        Assert.True(Holds("ForAllValues:StringEquals", "aws:TagKeys", ["env"], C("aws:TagKeys")));
        Assert.True(Holds("ForAllValues:StringLike", "aws:TagKeys", ["e*", "t*"], tags));
        // Negated: no request value matches any of the policy's.
        Assert.True(Holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["owner"], tags));
        Assert.False(Holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["team"], tags));
        Assert.Equal("Condition ForAllValues:StringEquals aws:TagKeys: expected every value to be env, the request has [env, team]",
            Evaluate("ForAllValues:StringEquals", "aws:TagKeys", ["env"], tags).Statements[0].Reason);
    }

    [Fact]
    public void PolicyVariable_InAConditionValue_IsTheRequestsValue()
    {
        // The caller's own account, derived from the principal: aws:PrincipalAccount.
        Assert.True(Holds("StringEquals", "aws:SourceAccount", ["${aws:PrincipalAccount}"], C("aws:SourceAccount", Account)));
        Assert.False(Holds("StringEquals", "aws:SourceAccount", ["${aws:PrincipalAccount}"], C("aws:SourceAccount", OtherAccount)));
        Assert.True(Holds("ArnLike", "aws:SourceArn", ["arn:aws:connect:*:${aws:PrincipalAccount}:instance/*"], C("aws:SourceArn", Instance)));
        Assert.True(Holds("StringLike", "aws:PrincipalTag/project", ["${aws:PrincipalTag/team}-*"], C("aws:PrincipalTag/team", "blue"), C("aws:PrincipalTag/project", "blue-bot")));
    }

    [Fact]
    public void PolicyVariable_WithADefault_FallsBackWhenTheKeyIsMissing()
    {
        Assert.True(Holds("StringEquals", "aws:PrincipalTag/team", ["${aws:PrincipalTag/default-team, 'blue'}"], C("aws:PrincipalTag/team", "blue")));
        Assert.False(Holds("StringEquals", "aws:PrincipalTag/team", ["${aws:PrincipalTag/default-team, 'blue'}"], C("aws:PrincipalTag/team", "red")));
    }

    [Theory]
    [InlineData("StringEquals")]
    [InlineData("StringNotEquals")]
    public void PolicyVariable_ThatDoesNotResolve_MakesTheConditionFalse_WhateverTheOperator(string op)
    {
        var decision = Evaluate(op, "aws:SourceAccount", ["${aws:ResourceAccount}"], C("aws:SourceAccount", Account));
        Assert.False(decision.IsAllowed);
        Assert.Contains("the policy variable ${aws:ResourceAccount} has no single value in the request", decision.Statements[0].Reason, StringComparison.Ordinal);
        Assert.Contains("aws:ResourceAccount", decision.MissingContextKeys);
    }

    [Fact]
    public void PolicyVariable_EscapesMatchLiteralCharacters()
    {
        Assert.True(Holds("StringLike", "aws:PrincipalTag/name", ["a${*}b"], C("aws:PrincipalTag/name", "a*b")));
        Assert.False(Holds("StringLike", "aws:PrincipalTag/name", ["a${*}b"], C("aws:PrincipalTag/name", "axxb")));
        Assert.True(Holds("StringLike", "aws:PrincipalTag/name", ["a*b"], C("aws:PrincipalTag/name", "axxb")));
        Assert.True(Holds("StringEquals", "aws:PrincipalTag/name", ["${$}{x}"], C("aws:PrincipalTag/name", "${x}")));
    }

    [Fact]
    public void PolicyVariable_InAVersion2008Policy_IsPlainText()
    {
        Assert.True(Evaluate("StringEquals", "aws:SourceAccount", ["${aws:PrincipalAccount}"], [C("aws:SourceAccount", "${aws:PrincipalAccount}")], "2008-10-17").IsAllowed);
        Assert.False(Evaluate("StringEquals", "aws:SourceAccount", ["${aws:PrincipalAccount}"], [C("aws:SourceAccount", Account)], "2008-10-17").IsAllowed);
    }

    [Theory]
    [InlineData("aws:PrincipalArn", "arn:aws:iam::123456789012:role/app")]
    [InlineData("aws:PrincipalAccount", "123456789012")]
    [InlineData("aws:PrincipalType", "AssumedRole")]
    [InlineData("aws:PrincipalIsAWSService", "false")]
    public void CallerKeys_AreDerivedFromThePrincipal(string key, string value)
    {
        var policy = Policy(Statement("Allow", Aws(Role), condition: $$$"""{"StringEquals":{"{{{key}}}":"{{{value}}}"}}"""));
        Assert.True(PolicyEvaluator.Evaluate(policy, Request(Session)).IsAllowed);
        // A value given in the context wins over the derived one.
        Assert.False(PolicyEvaluator.Evaluate(policy, Request(Session, context: [C(key, "given")])).IsAllowed);
    }

    [Fact]
    public void ServicePrincipal_GetsPrincipalServiceNameAndIsAwsService()
    {
        var policy = Policy(Statement("Allow", "\"*\"", condition: """{"Bool":{"aws:PrincipalIsAWSService":"true"},"StringEquals":{"aws:PrincipalServiceName":"connect.amazonaws.com"}}"""));
        Assert.True(PolicyEvaluator.Evaluate(policy, ConnectRequest()).IsAllowed);
        Assert.False(PolicyEvaluator.Evaluate(policy, Request(User)).IsAllowed);
    }

    [Fact]
    public void UnknownOperator_InALivePolicy_MakesTheConditionFalse()
    {
        var decision = Evaluate("StringEqualz", "aws:SourceAccount", [Account], C("aws:SourceAccount", Account));
        Assert.False(decision.IsAllowed);
        Assert.Equal("'StringEqualz' is not an IAM condition operator, so the condition cannot hold", decision.Statements[0].Reason);
    }

    [Fact]
    public void Reason_NamesTheOperatorKeyExpectedAndActualValues()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(ConnectGrant()), ConnectRequest(instance: "arn:aws:connect:us-east-1:123456789012:instance/zzz"));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        var s = Assert.Single(decision.Statements);
        Assert.Equal(("Condition", "Condition ArnEquals aws:SourceArn: expected arn:aws:connect:us-east-1:123456789012:instance/abc, the request has arn:aws:connect:us-east-1:123456789012:instance/zzz"), (s.Element, s.Reason));
    }

    [Theory]
    [InlineData("StringNotEquals", new[] { "o-1" }, "o-1", "a value other than o-1")]
    [InlineData("StringNotEquals", new[] { "o-1", "o-2" }, "o-2", "none of [o-1, o-2]")]
    [InlineData("StringEquals", new[] { "o-1", "o-2" }, "o-3", "one of [o-1, o-2]")]
    [InlineData("StringLike", new[] { "o-*" }, "x", "a value like o-*")]
    [InlineData("StringEqualsIgnoreCase", new[] { "x" }, "y", "x (ignoring case)")]
    [InlineData("NumericLessThan", new[] { "5" }, "9", "less than 5")]
    [InlineData("DateGreaterThanEquals", new[] { "2026-01-01" }, "2025-01-01", "at or after 2026-01-01")]
    [InlineData("NotIpAddress", new[] { "10.0.0.0/8" }, "10.1.1.1", "an address outside 10.0.0.0/8")]
    [InlineData("ForAnyValue:StringEquals", new[] { "o-1" }, "o-2", "some value to be o-1")]
    public void Reason_SaysWhatTheOperatorExpects(string op, string[] values, string actual, string expected)
    {
        var decision = Evaluate(op, "aws:K", values, C("aws:K", actual));
        Assert.False(decision.IsAllowed);
        Assert.Equal($"Condition {op} aws:K: expected {expected}, the request has {actual}", decision.Statements[0].Reason);
    }
}
