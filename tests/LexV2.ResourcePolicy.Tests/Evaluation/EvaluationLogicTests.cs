using static LexV2.ResourcePolicy.Tests.Evaluation.EvaluationFixtures;

namespace LexV2.ResourcePolicy.Tests.Evaluation;

/// <summary>
/// AWS's "Policy evaluation logic" and "Cross-account policy evaluation logic", one documented rule per test, and the
/// Principal / NotPrincipal / Action / NotAction / Resource / NotResource elements ("IAM JSON policy elements").
/// </summary>
[Trait("Issue", "23")]
public class EvaluationLogicTests
{
    [Fact]
    public void NoStatementApplies_IsTheDefaultImplicitDeny()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(), ConnectRequest());
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.False(decision.IsAllowed);
        Assert.Empty(decision.Statements);
    }

    [Fact]
    public void ExplicitDeny_InTheResourcePolicy_WinsOverAnAllow()
    {
        var policy = Policy(ConnectGrant(), Statement("Deny", Service()));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, ConnectRequest()));
    }

    [Fact]
    public void ExplicitDeny_InAnIdentityPolicy_WinsOverAResourcePolicyAllow()
    {
        var policy = Policy(Statement("Allow", Aws(Role)));
        var deny = Policy($$"""{"Effect":"Deny","Action":"lex:*","Resource":"*"}""");
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Role)));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, Request(Role, identity: [IdentityAllow(), deny])));
    }

    [Fact]
    public void ServicePrincipal_IsAllowedByTheResourcePolicyAlone()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(ConnectGrant()), ConnectRequest());
        Assert.Equal(AccessDecisionKind.Allowed, decision.Decision);
        Assert.StartsWith("Allowed: resource statement 0 \"AllowConnect\" allows the service principal connect.amazonaws.com", decision.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ServicePrincipal_IdentityPoliciesDoNotApply()
    {
        var deny = Policy($$"""{"Effect":"Deny","Action":"*","Resource":"*"}""");
        var decision = PolicyEvaluator.Evaluate(Policy(ConnectGrant()), ConnectRequest() with { IdentityPolicies = [deny] });
        Assert.Equal(AccessDecisionKind.Allowed, decision.Decision);
        var identity = Assert.Single(decision.Statements, s => s.Policy == "identity[0]");
        Assert.False(identity.Matched);
        Assert.Equal("Principal", identity.Element);
        Assert.Equal("identity policies do not apply to a service principal", identity.Reason);
    }

    [Fact]
    public void ServicePrincipal_NotNamed_IsImplicitlyDenied()
    {
        var policy = Policy(Statement("Allow", Service("lambda.amazonaws.com")));
        var decision = PolicyEvaluator.Evaluate(policy, ConnectRequest());
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.Equal("Principal", decision.Statements[0].Element);
    }

    [Fact]
    public void SameAccountRole_NamedInTheResourcePolicy_IsAllowedWithoutAnyIdentityPolicy()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(Statement("Allow", Aws(Role))), Request(Role));
        Assert.Equal(AccessDecisionKind.Allowed, decision.Decision);
        Assert.Contains("the resource policy alone is enough", decision.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/app")]
    [InlineData("arn:aws:iam::123456789012:role/team/service/app")] // a role's path is not in its session ARN
    [InlineData("arn:aws:sts::123456789012:assumed-role/app/worker-1")]
    public void AssumedRoleSession_MatchesItsRoleArnOrItsOwnSessionArn(string named)
    {
        Assert.Equal(AccessDecisionKind.Allowed, Decide(Policy(Statement("Allow", Aws(named))), Request(Session)));
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/other")]
    [InlineData("arn:aws:sts::123456789012:assumed-role/app/worker-2")]
    [InlineData("arn:aws:iam::210987654321:role/app")]
    public void AssumedRoleSession_DoesNotMatchAnotherRoleSessionOrAccount(string named)
    {
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(Policy(Statement("Allow", Aws(named))), Request(Session)));
    }

    [Fact]
    public void SameAccountUser_IsAllowedByAnIdentityPolicyAlone()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(), Request(User, identity: [IdentityAllow()]));
        Assert.Equal(AccessDecisionKind.Allowed, decision.Decision);
        Assert.Contains("identity[0] statement 0 allows it", decision.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("123456789012")]
    [InlineData("arn:aws:iam::123456789012:root")]
    public void AccountPrincipal_InTheResourcePolicy_DelegatesToTheAccountsIdentityPolicies(string account)
    {
        var policy = Policy(Statement("Allow", Aws(account)));
        var denied = PolicyEvaluator.Evaluate(policy, Request(Role));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, denied.Decision);
        Assert.Contains("names only the account (123456789012), which delegates to the account's identity policies", denied.Summary, StringComparison.Ordinal);
        Assert.True(denied.Statements[0].Matched);
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Role, identity: [IdentityAllow()])));
    }

    [Fact]
    public void CrossAccount_ResourcePolicyAllowAlone_IsImplicitlyDenied()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(Statement("Allow", Aws(OtherRole))), Request(OtherSession));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.Contains("so its identity policies must allow it too, and none does (no identity policies were given)", decision.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void CrossAccount_IdentityPolicyAllowAlone_IsImplicitlyDenied()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(), Request(OtherSession, identity: [IdentityAllow()]));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.Contains("so the resource policy must allow it too", decision.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OtherRole)]
    [InlineData(OtherAccount)]
    [InlineData("arn:aws:iam::210987654321:root")]
    public void CrossAccount_ResourcePolicyByNameOrAccount_AndIdentityPolicy_IsAllowed(string named)
    {
        var decision = PolicyEvaluator.Evaluate(Policy(Statement("Allow", Aws(named))), Request(OtherSession, identity: [IdentityAllow()]));
        Assert.Equal(AccessDecisionKind.Allowed, decision.Decision);
        Assert.Contains("so both must allow, and both do", decision.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("123456789012")]
    [InlineData("arn:aws:iam::123456789012:root")]
    public void RootUser_OfTheResourcesAccount_HasFullAccessUnlessDenied(string root)
    {
        Assert.Equal(AccessDecisionKind.Allowed, Decide(Policy(), Request(root)));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(Policy(Statement("Deny", "\"*\"")), Request(root)));
    }

    [Fact]
    public void RootUser_OfAnotherAccount_NeedsTheResourcePolicyToAllowItsAccount()
    {
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(Policy(), Request(OtherAccount)));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(Policy(Statement("Allow", Aws(OtherAccount))), Request(OtherAccount)));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(Policy(Statement("Allow", Aws(OtherRole))), Request(OtherAccount)));
    }

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("{\"AWS\":\"*\"}")]
    public void WildcardPrincipal_NamesEveryone_ServicesIncluded(string anyone)
    {
        var policy = Policy(Statement("Allow", anyone));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, ConnectRequest()));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(User)));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, Decide(policy, Request(OtherRole)));   // cross-account: identity must allow too
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(OtherRole, identity: [IdentityAllow()])));
    }

    [Fact]
    public void AnyDocumentParseReads_IsEvaluated_EvenOneTheValidatorWouldRefuseToSend()
    {
        // An unscoped "*" principal, a service principal without aws:SourceAccount/aws:SourceArn, a Deny without Sid: live policies can hold these.
        var live = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lex:*","Resource":"*"},{"Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:StartConversation"}]}""");
        Assert.Equal(AccessDecisionKind.Allowed, Decide(live, Request(User, "lex:DeleteBot")));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(live, Request(Connect)));
    }

    [Fact]
    public void NotPrincipal_WithDeny_DeniesEveryoneNotListed()
    {
        var policy = Policy(
            Statement("Allow", "\"*\""),
            $$"""{"Effect":"Deny","NotPrincipal":{"AWS":["{{User}}","{{Account}}"]},"Action":"lex:*","Resource":"*"}""");
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(User)));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, Request("arn:aws:iam::123456789012:user/bob")));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, ConnectRequest()));
    }

    [Fact]
    public void NotPrincipal_ExemptsASessionOnlyWhenItsAccountRoleAndSessionAreAllListed()
    {
        string Deny(params string[] listed) => $$"""{"Effect":"Deny","NotPrincipal":{"AWS":[{{string.Join(",", listed.Select(l => $"\"{l}\""))}}]},"Action":"lex:*","Resource":"*"}""";
        var allow = Statement("Allow", Aws(Role));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(Policy(allow, Deny(Session)), Request(Session)));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(Policy(allow, Deny(Session, Role)), Request(Session)));
        Assert.Equal(AccessDecisionKind.Allowed, Decide(Policy(allow, Deny(Session, Role, Account)), Request(Session)));
        var decision = PolicyEvaluator.Evaluate(Policy(allow, Deny(Session, Role, "arn:aws:iam::123456789012:root")), Request(Session));
        Assert.Equal("Principal", decision.Statements[1].Element);
        Assert.StartsWith("NotPrincipal AWS [", decision.Statements[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ResourcePolicyStatementWithoutPrincipal_AppliesToNoOne()
    {
        var policy = PolicyDocument.Parse($$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}""");
        var decision = PolicyEvaluator.Evaluate(policy, Request(Role));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.All(decision.Statements, s => Assert.Equal("Principal", s.Element));
    }

    [Fact]
    public void ResourcePolicyStatementWithoutResource_CoversTheResourceItIsAttachedTo()
    {
        var policy = PolicyDocument.Parse($$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{Role}}"},"Action":"lex:*"}]}""");
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Role)));
    }

    [Fact]
    public void IdentityPolicyStatementWithoutResource_CoversNothing()
    {
        var identity = PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lex:*"}]}""");
        var decision = PolicyEvaluator.Evaluate(Policy(), Request(User, identity: [identity]));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, decision.Decision);
        Assert.Equal("Resource", decision.Statements[0].Element);
    }

    [Theory]
    [InlineData("lex:StartConversation", true)]
    [InlineData("LEX:startconversation", true)]  // actions match ignoring case
    [InlineData("lex:Start*", true)]
    [InlineData("lex:*Conversation", true)]
    [InlineData("lex:StartConversatio?", true)]
    [InlineData("lex:?tart*", true)]
    [InlineData("*", true)]
    [InlineData("lex:Start", false)]
    [InlineData("lex:StartConversation?", false)]
    [InlineData("lex:Recognize*", false)]
    [InlineData("connect:StartConversation", false)]
    public void Action_WildcardsAndCase(string pattern, bool matches)
    {
        var decision = PolicyEvaluator.Evaluate(Policy(Statement("Allow", Aws(Role), action: pattern)), Request(Role));
        Assert.Equal(matches, decision.IsAllowed);
        if (!matches)
        {
            Assert.Equal("Action", decision.Statements[0].Element);
            Assert.Equal($"Action {pattern} does not cover lex:StartConversation", decision.Statements[0].Reason);
        }
    }

    [Fact]
    public void NotAction_CoversEveryActionItDoesNotList()
    {
        var policy = PolicyDocument.Parse($$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{Role}}"},"NotAction":["lex:Delete*","lex:Update*"],"Resource":"*"}]}""");
        Assert.True(PolicyEvaluator.Evaluate(policy, Request(Role)).IsAllowed);
        var denied = PolicyEvaluator.Evaluate(policy, Request(Role, "lex:deletebot"));
        Assert.False(denied.IsAllowed);
        Assert.Equal("NotAction [lex:Delete*, lex:Update*] excludes lex:deletebot", denied.Statements[0].Reason);
    }

    [Theory]
    [InlineData(Alias, true)]
    [InlineData("*", true)]
    [InlineData("arn:aws:lex:*:123456789012:bot-alias/*", true)]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/*", true)]
    [InlineData("arn:aws:lex:us-east-?:123456789012:bot-alias/BOTID12345/TSTALIASID", true)]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot-alias/botid12345/tstaliasid", false)] // resources are case-sensitive
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/BOTID12345", false)]
    [InlineData("arn:aws:lex:*:bot-alias/BOTID12345/TSTALIASID", false)] // a wildcard does not span the region and account parts
    [InlineData("arn:aws:lex:us-east-1:210987654321:bot-alias/*", false)]
    public void Resource_MatchesPerArnPart_CaseSensitively(string pattern, bool matches)
    {
        var decision = PolicyEvaluator.Evaluate(Policy(Statement("Allow", Aws(Role), resource: pattern)), Request(Role));
        Assert.Equal(matches, decision.IsAllowed);
        Assert.Equal(matches ? null : "Resource", decision.Statements[0].Element);
    }

    [Fact]
    public void NotResource_CoversEveryResourceItDoesNotList()
    {
        var policy = PolicyDocument.Parse($$"""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","NotResource":"arn:aws:lex:*:*:bot-alias/*/TSTALIASID"},{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}""");
        Assert.Equal(AccessDecisionKind.Allowed, Decide(policy, Request(Role)));
        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, Decide(policy, Request(Role, resource: "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/PRODALIAS1")));
    }

    [Fact]
    public void Resource_WithAPolicyVariable_ResolvesFromTheRequest()
    {
        var identity = Policy("""{"Effect":"Allow","Action":"lex:*","Resource":"arn:aws:lex:us-east-1:${aws:PrincipalAccount}:bot-alias/*"}""");
        Assert.Equal(AccessDecisionKind.Allowed, Decide(Policy(), Request(User, identity: [identity])));
        var unresolved = Policy("""{"Effect":"Allow","Action":"lex:*","Resource":"arn:aws:lex:us-east-1:123456789012:bot-alias/${aws:PrincipalTag/bot}/*"}""");
        var decision = PolicyEvaluator.Evaluate(Policy(), Request(User, identity: [unresolved]));
        Assert.False(decision.IsAllowed);
        Assert.EndsWith("(the policy variable ${aws:PrincipalTag/bot} has no single value in the request)", decision.Statements[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OrderOfTheChecks_ThePrincipalIsReportedBeforeTheAction()
    {
        var decision = PolicyEvaluator.Evaluate(Policy(Statement("Allow", Aws(User), action: "lex:DeleteBot")), Request(Role));
        Assert.Equal("Principal", decision.Statements[0].Element);
        Assert.Equal($"Principal names AWS [{User}]; the caller {Role} is not one of them nor in an account it names", decision.Statements[0].Reason);
    }
}
