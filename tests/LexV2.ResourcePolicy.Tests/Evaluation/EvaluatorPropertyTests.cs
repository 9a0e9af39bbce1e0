using CsCheck;
using static LexV2.ResourcePolicy.Tests.Evaluation.EvaluationFixtures;

namespace LexV2.ResourcePolicy.Tests.Evaluation;

/// <summary>
/// Properties over generated policies and requests (CsCheck: random cases, shrunk to a minimal one on failure): what must hold
/// whatever the policy says.
/// </summary>
[Trait("Issue", "23")]
public class EvaluatorPropertyTests
{
    private const int Iterations = 2000;

    private static readonly PolicyPrincipal?[] Principals =
    [
        PolicyPrincipal.Anyone, PolicyPrincipal.ForService(Connect), PolicyPrincipal.ForService("lambda.amazonaws.com"),
        PolicyPrincipal.ForAws(Role), PolicyPrincipal.ForAws(Account), PolicyPrincipal.ForAws(OtherRole), PolicyPrincipal.ForAws(OtherAccount),
        PolicyPrincipal.ForAws(Session), PolicyPrincipal.ForAws(User, OtherAccount),
    ];

    private static readonly (string Op, string Key, string[] Values)[] Conditions =
    [
        ("StringEquals", "aws:SourceAccount", [Account]),
        ("StringEquals", "aws:SourceAccount", ["${aws:PrincipalAccount}"]),
        ("ArnLike", "aws:SourceArn", ["arn:aws:connect:*:123456789012:instance/*"]),
        ("ArnEquals", "aws:SourceArn", [Instance]),
        ("StringNotEquals", "aws:PrincipalOrgID", ["o-1"]),
        ("StringEqualsIfExists", "aws:PrincipalOrgID", ["o-1"]),
        ("Bool", "aws:SecureTransport", ["true"]),
        ("IpAddress", "aws:SourceIp", ["10.0.0.0/8"]),
        ("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32"]),
        ("ForAnyValue:StringLike", "aws:PrincipalTag/team", ["b*"]),
        ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"]),
        ("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"]),
        ("DateLessThan", "aws:CurrentTime", ["2027-01-01T00:00:00Z"]),
        ("Null", "aws:TokenIssueTime", ["true"]),
    ];

    private static readonly (string Key, string[] Values)[] ContextEntries =
    [
        ("aws:SourceAccount", [Account]), ("aws:SourceAccount", [OtherAccount]),
        ("aws:SourceArn", [Instance]), ("aws:SourceArn", ["arn:aws:connect:us-east-1:210987654321:instance/x"]),
        ("aws:PrincipalOrgID", ["o-1"]), ("aws:PrincipalOrgID", ["o-2"]),
        ("aws:SecureTransport", ["true"]), ("aws:SecureTransport", ["false"]),
        ("aws:SourceIp", ["10.1.2.3"]), ("aws:SourceIp", ["192.0.2.1"]), ("aws:SourceIp", ["2001:db8::1"]),
        ("aws:PrincipalTag/team", ["blue", "green"]), ("aws:PrincipalTag/team", ["green"]),
        ("aws:TagKeys", ["env"]), ("aws:TagKeys", ["env", "owner"]),
        ("aws:MultiFactorAuthAge", ["100"]), ("aws:MultiFactorAuthAge", ["7200"]),
        ("aws:CurrentTime", ["2026-06-01T00:00:00Z"]), ("aws:CurrentTime", ["2028-01-01T00:00:00Z"]),
        ("aws:TokenIssueTime", ["2026-06-01T00:00:00Z"]),
    ];

    private static readonly Gen<Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>?> GenCondition =
        Gen.Int[0, Conditions.Length - 1].Array[0, 3].Select(picks =>
        {
            if (picks.Length == 0)
            {
                return null;
            }

            var result = new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>();
            foreach (var (op, key, values) in picks.Select(i => Conditions[i]))
            {
                var keys = result.TryGetValue(op, out var existing) ? new Dictionary<string, PolicyValues>(existing) : [];
                keys[key] = PolicyValues.Many(values);
                result[op] = keys;
            }

            return result;
        });

    private static readonly Gen<PolicyValues> GenActions = Gen.OneOfConst<PolicyValues>(
        "lex:StartConversation", "lex:*", "lex:Recognize*", "*", "lex:DeleteBot", PolicyValues.Many("lex:StartConversation", "lex:RecognizeText"));

    private static readonly Gen<PolicyValues?> GenResources = Gen.OneOfConst<PolicyValues?>(
        Alias, "*", "arn:aws:lex:*:*:bot-alias/*", Bot, "arn:aws:lex:us-east-1:${aws:PrincipalAccount}:bot-alias/*", null);

    private static Gen<PolicyStatement> GenStatement(bool identity) =>
        Gen.Select(Gen.Bool, Gen.Int[0, Principals.Length - 1], GenActions, Gen.Bool, GenResources, GenCondition, Gen.Int[0, 99],
            (deny, principal, actions, notAction, resource, condition, sid) => new PolicyStatement
            {
                Sid = "S" + sid,
                Effect = deny ? Effect.Deny : Effect.Allow,
                Principal = identity ? null : Principals[principal],
                Action = notAction ? null : actions,
                NotAction = notAction ? PolicyValues.One("lex:Delete*") : null,
                Resource = identity ? resource ?? "*" : resource,
                Condition = condition,
            });

    private static readonly Gen<PolicyDocument> GenPolicy =
        GenStatement(identity: false).List[0, 8].Select(s => new PolicyDocument { Statement = s });

    private static readonly Gen<PolicyDocument> GenIdentityPolicy =
        GenStatement(identity: true).List[0, 3].Select(s => new PolicyDocument { Statement = s });

    private static readonly Gen<AccessRequest> GenRequest = Gen.Select(
        Gen.OneOfConst(Connect, "lambda.amazonaws.com", Role, Session, User, OtherSession, Account, OtherAccount),
        Gen.OneOfConst("lex:StartConversation", "lex:RecognizeText", "lex:DeleteBot"),
        Gen.Int[0, ContextEntries.Length - 1].Array[0, 6],
        GenIdentityPolicy.List[0, 2],
        (principal, action, entries, identity) => new AccessRequest
        {
            Principal = principal,
            Action = action,
            Resource = Alias,
            Context = entries.Select(i => ContextEntries[i]).DistinctBy(e => e.Key).ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Values),
            IdentityPolicies = identity,
        });

    private static readonly Gen<PolicyStatement> GenResourceStatement = GenStatement(identity: false);

    [Fact]
    public void ExplicitDeny_NeverYieldsAllowed_AndIsTheDecisionExactlyWhenADenyMatches()
    {
        Gen.Select(GenPolicy, GenRequest).Sample((policy, request) =>
        {
            var decision = PolicyEvaluator.Evaluate(policy, request);
            bool denyMatched = decision.Statements.Any(s => s.Matched && s.Effect == Effect.Deny);
            Assert.Equal(denyMatched, decision.Decision == AccessDecisionKind.ExplicitlyDenied);
            Assert.False(denyMatched && decision.IsAllowed);
        }, iter: Iterations);
    }

    [Fact]
    public void AMatchingStatement_KeepsMatching_WhenAnUnrelatedStatementIsAdded()
    {
        Gen.Select(GenPolicy, GenRequest, GenResourceStatement, Gen.Int[0, 8]).Sample((policy, request, extra, at) =>
        {
            var before = PolicyEvaluator.Evaluate(policy, request).Statements.Where(s => s.Policy == "resource").ToList();
            var statements = policy.Statement.ToList();
            int position = Math.Min(at, statements.Count);
            statements.Insert(position, extra);
            var after = PolicyEvaluator.Evaluate(policy with { Statement = statements }, request).Statements.Where(s => s.Policy == "resource").ToList();
            after.RemoveAt(position);
            Assert.Equal(before.Select(s => (s.Sid, s.Matched, s.Element, s.Reason)), after.Select(s => (s.Sid, s.Matched, s.Element, s.Reason)));
        }, iter: Iterations);
    }

    [Fact]
    public void TheOutcome_DoesNotChange_WhenAnUnrelatedContextKeyIsAdded()
    {
        Gen.Select(GenPolicy, GenRequest, Gen.String[Gen.Char.AlphaNumeric, 1, 12], Gen.String[Gen.Char.AlphaNumeric, 0, 12]).Sample((policy, request, name, value) =>
        {
            var before = PolicyEvaluator.Evaluate(policy, request);
            var context = new Dictionary<string, IReadOnlyList<string>>(request.Context) { ["test:Unrelated" + name] = [value] };
            var after = PolicyEvaluator.Evaluate(policy, request with { Context = context });
            Assert.Equal(before.Decision, after.Decision);
            Assert.Equal(before.Statements, after.Statements);
        }, iter: Iterations);
    }

    [Fact]
    public void AddingAnAllow_NeverTakesAccessAway_AndAddingADeny_NeverGrantsIt()
    {
        Gen.Select(GenPolicy, GenRequest, GenResourceStatement).Sample((policy, request, extra) =>
        {
            var before = PolicyEvaluator.Evaluate(policy, request);
            var after = PolicyEvaluator.Evaluate(policy with { Statement = [.. policy.Statement, extra] }, request);
            if (extra.Effect == Effect.Allow)
            {
                Assert.True(!before.IsAllowed || after.IsAllowed, $"an Allow took access away: {after.Summary}");
            }
            else
            {
                Assert.True(before.IsAllowed || !after.IsAllowed, $"a Deny granted access: {after.Summary}");
            }
        }, iter: Iterations);
    }

    [Fact]
    public void TheDecision_DoesNotDependOnStatementOrder()
    {
        Gen.Select(GenPolicy, GenRequest).Sample((policy, request) =>
        {
            var reversed = policy with { Statement = [.. policy.Statement.Reverse()] };
            Assert.Equal(PolicyEvaluator.Evaluate(policy, request).Decision, PolicyEvaluator.Evaluate(reversed, request).Decision);
        }, iter: Iterations);
    }

    [Fact]
    public void TheSummary_AgreesWithTheDecision_AndEveryUnmatchedStatementSaysWhy()
    {
        Gen.Select(GenPolicy, GenRequest).Sample((policy, request) =>
        {
            var decision = PolicyEvaluator.Evaluate(policy, request);
            string expected = decision.Decision switch
            {
                AccessDecisionKind.Allowed => "Allowed: ",
                AccessDecisionKind.ImplicitlyDenied => "Implicitly denied: ",
                _ => "Explicitly denied: ",
            };
            Assert.StartsWith(expected, decision.Summary, StringComparison.Ordinal);
            Assert.All(decision.Statements, s =>
            {
                Assert.Equal(s.Matched, s.Element is null);
                Assert.Equal(s.Matched, s.Reason is null);
                Assert.True(s.Matched || s.Element is "Principal" or "Action" or "Resource" or "Condition", s.Element);
            });
            Assert.Equal(policy.Statement.Count + request.IdentityPolicies.Sum(p => p.Statement.Count), decision.Statements.Count);
        }, iter: Iterations);
    }

    [Fact]
    public void EveryStatement_ThatMatchesAlone_MatchesInsideTheWholePolicy()
    {
        Gen.Select(GenPolicy, GenRequest).Sample((policy, request) =>
        {
            var whole = PolicyEvaluator.Evaluate(policy, request).Statements.Where(s => s.Policy == "resource").ToList();
            for (int i = 0; i < policy.Statement.Count; i++)
            {
                var alone = PolicyEvaluator.Evaluate(policy with { Statement = [policy.Statement[i]] }, request).Statements[0];
                Assert.Equal(alone.Matched, whole[i].Matched);
            }
        }, iter: Iterations / 4);
    }
}
