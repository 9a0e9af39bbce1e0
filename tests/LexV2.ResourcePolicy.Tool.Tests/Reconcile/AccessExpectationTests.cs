using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Testing;
using static LexV2.ResourcePolicy.Tool.Tests.Reconcile.PolicyReconcilerTests;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>
/// Access expectations of a desired state: evaluated against the policy a resource would have after the plan (statements the
/// file does not manage included), and against the live policy; a plan whose expectations fail is neither saved nor applied.
/// </summary>
[Trait("Issue", "23")]
public class AccessExpectationTests
{
    internal const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/abc";

    internal static AccessExpectation ConnectMayStart(ExpectedAccess decision = ExpectedAccess.Allow, string instance = Instance, string secure = "true") => new()
    {
        Description = "Connect instance abc reaches the alias",
        Principal = "connect.amazonaws.com",
        Action = "lex:StartConversation",
        Context = new Dictionary<string, IReadOnlyList<string>> { ["aws:SourceArn"] = [instance], ["aws:SourceAccount"] = ["123456789012"], ["aws:SecureTransport"] = [secure] },
        Decision = decision,
    };

    /// <summary>A statement the file does not manage: denies plain-HTTP calls.</summary>
    internal const string UnmanagedDeny = """{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"lex:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}""";

    [Fact]
    public async Task Plan_EvaluatesExpectations_AgainstThePolicyAfterApply_UnmanagedStatementsIncluded()
    {
        var emulator = new LexPolicyEmulator();
        emulator.SeedPolicy(Alias, UnmanagedDeny);
        using var client = emulator.CreateClient();
        var resource = Resource(Alias, false, LexGrant.ConnectInstance(Alias, Instance)) with
        {
            Expect = [ConnectMayStart(), ConnectMayStart(ExpectedAccess.ExplicitDeny, secure: "false"), ConnectMayStart(ExpectedAccess.Deny, "arn:aws:connect:us-east-1:123456789012:instance/zzz")],
        };

        var plan = await new PolicyReconciler(client).PlanAsync(new DesiredState { Resources = [resource] });

        Assert.Equal([true, true, true], plan.Resources[0].Expectations.Select(e => e.Holds));
        Assert.Equal(AccessDecisionKind.Allowed, plan.Resources[0].Expectations[0].Decision.Decision); // by the statement the plan adds
        Assert.StartsWith("Explicitly denied: resource statement 0 \"DenyInsecure\" denies it", plan.Resources[0].Expectations[1].Decision.Summary, StringComparison.Ordinal);
        Assert.Empty(plan.FailedExpectations);
        Assert.Contains("\"AllowConnect-abc\"", plan.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_ThatWouldBreakAnExpectation_CannotBeSavedOrApplied_AndNothingIsWritten()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        await client.EnsureStatementAsync(LexGrant.ConnectInstance(Alias, Instance));
        string revision = emulator.GetPolicy(Alias)!.RevisionId;
        var reconciler = new PolicyReconciler(client);
        // prune with only a role statement: the Connect grant would go, and Connect with it.
        var desired = new DesiredState { Resources = [Resource(Alias, true, Role(Alias, "AppOne")) with { Expect = [ConnectMayStart()] }] };

        var plan = await reconciler.PlanAsync(desired);

        var failed = Assert.Single(plan.FailedExpectations);
        Assert.False(failed.Holds);
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, failed.Decision.Decision);
        Assert.StartsWith($"{(string)Alias} expect[0] connect.amazonaws.com lex:StartConversation → allow (Connect instance abc reaches the alias): DOES NOT HOLD (ImplicitlyDenied)\n    Implicitly denied:", failed.Explain(), StringComparison.Ordinal);
        Assert.Throws<AccessExpectationException>(() => plan.ToJson());
        int sent = emulator.Requests.Count;
        var e = await Assert.ThrowsAsync<AccessExpectationException>(() => reconciler.ApplyAsync(plan));
        Assert.Same(failed, Assert.Single(e.Failures));
        await Assert.ThrowsAsync<AccessExpectationException>(() => reconciler.ReconcileAsync(desired));
        Assert.Equal(revision, emulator.GetPolicy(Alias)!.RevisionId);
        Assert.DoesNotContain(emulator.Requests.Skip(sent), r => r.Method != "GET");
    }

    [Fact]
    public async Task Apply_WhenTheRevisionMovedAndTheReplanBreaksAnExpectation_RefusesThatResource()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        var desired = new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "AppOne")) with { Expect = [ConnectMayStart(ExpectedAccess.Deny, secure: "true")] }] };
        var plan = await reconciler.PlanAsync(desired);
        Assert.Empty(plan.FailedExpectations);

        // Someone grants Connect meanwhile: re-planned, the expectation "Connect may not start" no longer holds.
        await client.EnsureStatementAsync(LexGrant.ConnectInstance(Alias, Instance));
        string revision = emulator.GetPolicy(Alias)!.RevisionId;
        var result = await reconciler.ApplyAsync(plan);

        var r = Assert.Single(result.Resources);
        Assert.Equal(ApplyOutcome.Refused, r.Outcome);
        Assert.Contains("an access expectation does not hold", r.Message, StringComparison.Ordinal);
        Assert.Equal(revision, emulator.GetPolicy(Alias)!.RevisionId);
    }

    [Fact]
    public async Task CheckAsync_EvaluatesAgainstTheLivePolicies_ReadingOnlyResourcesWithExpectations()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        await client.EnsureStatementAsync(LexGrant.ConnectInstance(Alias, Instance));
        var desired = new DesiredState
        {
            Resources =
            [
                Resource(Alias, false) with { Expect = [ConnectMayStart(), ConnectMayStart(ExpectedAccess.Allow, "arn:aws:connect:us-east-1:123456789012:instance/zzz")] },
                Resource(Prod, false) with { Expect = [ConnectMayStart(ExpectedAccess.Deny)] },
                Resource(Bot, false),
            ],
        };
        int sent = emulator.Requests.Count;

        var results = await AccessExpectations.CheckAsync(client, desired);

        Assert.Equal([true, false, true], results.Select(r => r.Holds));
        Assert.Equal([(string)Alias, Alias, Prod], results.Select(r => r.ResourceArn));
        Assert.Equal("Condition", results[1].Decision.Statements[0].Element);
        Assert.Equal(2, emulator.Requests.Count - sent);
        Assert.All(emulator.Requests.Skip(sent), r => Assert.Equal("DescribeResourcePolicy", r.Operation));
    }

    [Fact]
    public void Validate_NamesTheJsonPathOfAMalformedExpectation()
    {
        var desired = new DesiredState
        {
            Resources =
            [
                Resource(Alias, false) with
                {
                    Expect =
                    [
                        ConnectMayStart(),
                        ConnectMayStart() with { Principal = "connect", Action = "lex:Start*" },
                        ConnectMayStart() with { Decision = (ExpectedAccess)7 },
                    ],
                },
            ],
        };

        var problems = desired.Validate().Select(p => p.Path + ": " + p.Message).ToList();

        Assert.Contains(problems, p => p.StartsWith("$.resources[0].expect[1].principal: 'connect' is not a principal", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.resources[0].expect[1].action: 'lex:Start*' is not one action", StringComparison.Ordinal));
        Assert.Contains("$.resources[0].expect[2].decision: must be allow, deny or explicitDeny", problems);
        Assert.Equal(3, problems.Count);
    }
}
