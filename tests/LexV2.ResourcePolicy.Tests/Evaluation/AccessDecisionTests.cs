using static LexV2.ResourcePolicy.Tests.Evaluation.EvaluationFixtures;

namespace LexV2.ResourcePolicy.Tests.Evaluation;

/// <summary>The request's checks, the decision's account (<see cref="AccessDecision.Explain"/>), and what an evaluation allocates.</summary>
[Trait("Issue", "23")]
public class AccessDecisionTests
{
    [Theory]
    [InlineData("", "AccessRequest.Principal: is required")]
    [InlineData("connect", "AccessRequest.Principal: 'connect' is not a principal")]
    [InlineData("arn:aws:iam::123:role/app", "AccessRequest.Principal: 'arn:aws:iam::123:role/app' is not an IAM principal ARN")]
    [InlineData("arn:aws:iam::123456789012:group/devs", "is an IAM group, which cannot make a request")]
    [InlineData("arn:aws:sts::123456789012:assumed-role/app", "is not a principal that can call")]
    [InlineData("*", "AccessRequest.Principal: '*' is not a principal")]
    public void MalformedPrincipal_IsRefused_NamingTheMemberAndTheRule(string principal, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate(Policy(), Request(principal)));
        Assert.Equal("request", e.ParamName);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StartConversation", "AccessRequest.Action: 'StartConversation' is not an action: expected service:Name")]
    [InlineData("lex:Start*", "AccessRequest.Action: 'lex:Start*' is not one action")]
    [InlineData("", "AccessRequest.Action: is required")]
    public void MalformedAction_IsRefused(string action, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate(Policy(), Request(Role, action)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BOTID12345", "is not an ARN")]
    [InlineData("arn:aws:lex:us-east-1::bot/BOTID12345", "has no 12-digit account id")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/*", "contains a wildcard")]
    public void MalformedResource_IsRefused(string resource, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate(Policy(), Request(Role, resource: resource)));
        Assert.Contains("AccessRequest.Resource: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesWhatEvaluateRefuses_BeforeAnyPolicyIsNeeded()
    {
        Request(Role).Validate();
        var e = Assert.Throws<ArgumentException>(() => Request("connect", "lex:*").Validate());
        Assert.Equal("AccessRequest", e.ParamName);
        Assert.StartsWith("2 problems:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContextKeysDifferingOnlyInCase_AreRefused()
    {
        var request = Request(Role) with
        {
            Context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["aws:SourceArn"] = ["a"], ["aws:sourcearn"] = ["b"] },
        };
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate(Policy(), request));
        Assert.Contains("AccessRequest.Context: the keys 'aws:SourceArn' and 'aws:sourcearn' differ only in case", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblem_IsListedAtOnce()
    {
        var e = Assert.Throws<ArgumentException>(() => PolicyEvaluator.Evaluate(Policy(), Request("x", "y", "z")));
        Assert.StartsWith("3 problems:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_ComparesTheMembers_ContextByContent()
    {
        var a = Request(Connect, context: [("aws:SourceArn", [Instance]), ("aws:SourceAccount", [Account])]);
        var b = Request(Connect, context: [("AWS:SOURCEACCOUNT", [Account]), ("aws:SourceArn", [Instance])]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Context = new Dictionary<string, IReadOnlyList<string>> { ["aws:SourceArn"] = [Instance] } });
        Assert.NotEqual(a, a with { Action = "lex:RecognizeText" });
        Assert.NotEqual(a, a with { IdentityPolicies = [IdentityAllow()] });
        Assert.Equal(a with { IdentityPolicies = [IdentityAllow()] }, a with { IdentityPolicies = [IdentityAllow()] });
    }

    [Fact]
    public void With_ReparsesTheChangedPrincipal()
    {
        var request = Request(Role);
        var policy = Policy(Statement("Allow", Aws(Role)));
        Assert.True(PolicyEvaluator.Evaluate(policy, request).IsAllowed);
        Assert.False(PolicyEvaluator.Evaluate(policy, request with { Principal = User }).IsAllowed);
    }

    [Fact]
    public void Explain_ConnectInstanceOnABotAlias_NamesTheConditionThatFailed_AndTheKeysNotSupplied()
    {
        var policy = Policy(ConnectGrant(), Statement("Deny", "\"*\"", action: "lex:DeleteBotAlias", sid: "NoDelete"));
        var request = Request(Connect, context: [("aws:SourceArn", ["arn:aws:connect:us-east-1:123456789012:instance/zzz"])]);
        var decision = PolicyEvaluator.Evaluate(policy, request);
        Assert.Equal(
            """
            Implicitly denied: no statement of the resource policy allows the service principal connect.amazonaws.com.
            Request: connect.amazonaws.com calls lex:StartConversation on arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/TSTALIASID
              resource statement 0 "AllowConnect" (Allow): not matched: Condition StringEquals aws:SourceAccount: expected 123456789012, the request has no aws:SourceAccount
              resource statement 1 "NoDelete" (Deny): not matched: Action lex:DeleteBotAlias does not cover lex:StartConversation
            Context keys the policies use that the request did not supply: aws:SourceAccount
            """.ReplaceLineEndings("\n"),
            decision.Explain());
        Assert.Equal(["aws:SourceAccount"], decision.MissingContextKeys);
    }

    [Fact]
    public void Explain_AnExplicitDeny_NamesTheDenyingStatement()
    {
        var policy = Policy(ConnectGrant(), Statement("Deny", "\"*\"", sid: "Freeze", condition: """{"Bool":{"aws:SecureTransport":"false"}}"""));
        var decision = PolicyEvaluator.Evaluate(policy, ConnectRequest() with { Context = new Dictionary<string, IReadOnlyList<string>>(ConnectRequest().Context) { ["aws:SecureTransport"] = ["false"] } });
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, decision.Decision);
        Assert.Equal("Explicitly denied: resource statement 1 \"Freeze\" denies it, and an explicit Deny overrides every Allow.", decision.Summary);
        Assert.Equal([true, true], decision.Statements.Select(s => s.Matched));
    }

    [Fact]
    public void ADecisionBuiltByHand_ExplainsFromWhatItWasGiven()
    {
        var decision = new AccessDecision(AccessDecisionKind.ImplicitlyDenied, "Implicitly denied: a test double.",
            [new StatementEvaluation { Policy = "resource", Sid = "S", Effect = Effect.Allow, Matched = false, Element = "Action", Reason = "no" }], ["aws:SourceArn"]);
        Assert.Equal("Implicitly denied: a test double.\n  resource statement 0 \"S\" (Allow): not matched: no\nContext keys the policies use that the request did not supply: aws:SourceArn", decision.Explain());
        Assert.Equal(decision, new AccessDecision(AccessDecisionKind.ImplicitlyDenied, "Implicitly denied: a test double.",
            [new StatementEvaluation { Policy = "resource", Sid = "S", Effect = Effect.Allow, Matched = false, Element = "Action", Reason = "no" }], ["aws:SourceArn"]));
    }

    [Fact]
    public void Evaluate_ReadingOnlyTheDecision_AllocatesOnlyTheDecisionObject()
    {
        // A realistic policy: service grants with conditions, role grants, a Deny with IfExists and a negated operator.
        var policy = Policy(
            ConnectGrant(),
            Statement("Allow", Service("lambda.amazonaws.com"), condition: """{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:lambda:*:123456789012:function:*"}}"""),
            Statement("Allow", Aws(Role), action: "lex:Recognize*"),
            Statement("Deny", "\"*\"", condition: """{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"},"Bool":{"aws:SecureTransport":"false"},"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"""),
            Statement("Deny", "\"*\"", condition: """{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericGreaterThan":{"aws:MultiFactorAuthAge":"1"}}"""),
            Statement("Allow", "\"*\"", condition: """{"ForAnyValue:StringLike":{"aws:PrincipalTag/team":"b*"},"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"""));
        var request = ConnectRequest() with
        {
            Context = new Dictionary<string, IReadOnlyList<string>>(ConnectRequest().Context)
            {
                ["aws:SecureTransport"] = ["true"], ["aws:SourceIp"] = ["10.1.2.3"], ["aws:CurrentTime"] = ["2026-06-01T00:00:00Z"],
                ["aws:MultiFactorAuthAge"] = ["5"], ["aws:PrincipalTag/team"] = ["blue"],
            },
        };
        Assert.Equal(AccessDecisionKind.Allowed, PolicyEvaluator.Evaluate(policy, request).Decision); // warm: caches, tiering

        const int Calls = 200;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            _ = PolicyEvaluator.Evaluate(policy, request).Decision;
        }

        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        Assert.InRange(perCall, 1, 64); // the AccessDecision: a header, three references and the decision
    }
}
