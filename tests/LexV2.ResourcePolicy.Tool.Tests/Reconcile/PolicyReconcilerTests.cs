using LexV2.ResourcePolicy.Reconcile;
using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>The reconcile engine through the emulator (real client, real wire shapes) and through a hand-written fake.</summary>
public class PolicyReconcilerTests
{
    internal static readonly BotArn Bot = BotArn.Parse("arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ");
    internal static readonly BotAliasArn Alias = Bot.Alias("TSTALIASID");
    internal static readonly BotAliasArn Prod = Bot.Alias("PRODALIAS1");

    internal static CreateResourcePolicyStatementRequest Role(LexResourceArn resource, string sid, params string[] actions) =>
        LexGrant.IamPrincipal(resource, "arn:aws:iam::123456789012:role/" + sid, sid, actions.Length == 0 ? null : actions);

    internal static DesiredResource Resource(LexResourceArn arn, bool prune, params CreateResourcePolicyStatementRequest[] statements) =>
        new() { ResourceArn = arn, Prune = prune, Statements = statements };

    private static PolicyDocument Policy(LexPolicyEmulator emulator, string arn) => PolicyDocument.Parse(emulator.GetPolicy(arn)!.Policy);

    private static List<RecordedRequest> Writes(LexPolicyEmulator emulator) => [.. emulator.Requests.Where(r => r.Method != "GET")];

    [Fact]
    public async Task PlanAndApply_NoPolicyYet_AddsEveryStatementWithOneCreateResourcePolicy()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        var desired = new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "AppOne"), LexGrant.ConnectInstance(Alias, "arn:aws:connect:us-east-1:123456789012:instance/abc"))] };

        var plan = await reconciler.PlanAsync(desired);
        Assert.Null(plan.Resources[0].RevisionId);
        Assert.Equal([PlannedChange.Add, PlannedChange.Add], plan.Resources[0].Changes.Select(c => c.Change));
        Assert.Empty(Writes(emulator));

        var result = await reconciler.ApplyAsync(plan);

        Assert.True(result.Succeeded);
        Assert.Equal(ApplyOutcome.Applied, result.Resources[0].Outcome);
        var write = Assert.Single(Writes(emulator));
        Assert.Equal("CreateResourcePolicy", write.Operation);
        Assert.Equal(["AppOne", "AllowConnect-abc"], Policy(emulator, Alias).Statement.Select(s => s.Sid));
        Assert.Equal(result.Resources[0].RevisionId, emulator.GetPolicy(Alias)!.RevisionId);
        Assert.False((await reconciler.PlanAsync(desired)).HasChanges);
    }

    [Fact]
    public async Task Plan_ComparesStatementsOrderInsensitively_AndReplacesOnlyRealDifferences_KeepingUnnamedWithoutPrune()
    {
        var emulator = new LexPolicyEmulator();
        emulator.SeedPolicy(Alias, $$"""
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Same","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Same"},"Action":["lex:StartConversation","lex:RecognizeText"],"Resource":"{{Alias}}"},
              {"Sid":"Changed","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Changed"},"Action":"lex:RecognizeText","Resource":"{{Alias}}"},
              {"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Other"},"Action":"lex:RecognizeText","Resource":"{{Alias}}"}
            ]}
            """, revision: 7);
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        var desired = new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "Same"), Role(Alias, "Changed"), Role(Alias, "New"))] };

        var plan = (await reconciler.PlanAsync(desired)).Resources[0];

        Assert.Equal("7", plan.RevisionId);
        Assert.Equal(["Same"], plan.Unchanged);
        var replace = Assert.Single(plan.Changes, c => c.Change == PlannedChange.Replace);
        Assert.Equal("Changed", replace.StatementId);
        Assert.Equal(["action"], replace.Differences);
        Assert.Equal("New", Assert.Single(plan.Changes, c => c.Change == PlannedChange.Add).StatementId);
        Assert.DoesNotContain(plan.Changes, c => c.Change == PlannedChange.Remove);

        await reconciler.ApplyAsync(new ReconcilePlan([plan], DateTimeOffset.UtcNow));

        var write = Assert.Single(Writes(emulator));
        Assert.Equal("UpdateResourcePolicy", write.Operation);
        Assert.Contains("expectedRevisionId=7", write.PathAndQuery, StringComparison.Ordinal);
        var after = Policy(emulator, Alias);
        Assert.Equal(["Same", "Changed", "Other", "New"], after.Statement.Select(s => s.Sid));
        Assert.Equal(["lex:RecognizeText", "lex:StartConversation"], after.Statement[1].Action!);
        Assert.Equal("8", emulator.GetPolicy(Alias)!.RevisionId);
    }

    [Fact]
    public async Task Prune_RemovesUnnamedStatementsIncludingOnesWithoutSid_AndRemovingAllDeletesThePolicy()
    {
        var emulator = new LexPolicyEmulator();
        emulator.SeedPolicy(Alias, $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/NoSid"},"Action":"lex:RecognizeText","Resource":"{{Alias}}"},
              {"Sid":"Keep","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Keep"},"Action":["lex:RecognizeText","lex:StartConversation"],"Resource":"{{Alias}}"},
              {"Sid":"Stale","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/Stale"},"Action":"lex:RecognizeText","Resource":"{{Alias}}"}
            ]}
            """, revision: 3);
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);

        var pruned = await reconciler.ReconcileAsync(new DesiredState { Resources = [Resource(Alias, true, Role(Alias, "Keep"))] });
        Assert.Equal(2, pruned.Resources[0].Plan!.Removals);
        Assert.Equal(["Keep"], Policy(emulator, Alias).Statement.Select(s => s.Sid));

        var emptied = await reconciler.ReconcileAsync(new DesiredState { Resources = [Resource(Alias, true)] });

        Assert.Equal(ApplyOutcome.Applied, emptied.Resources[0].Outcome);
        Assert.Null(emptied.Resources[0].RevisionId);
        Assert.Null(emulator.GetPolicy(Alias));
        var delete = Writes(emulator)[^1];
        Assert.Equal("DeleteResourcePolicy", delete.Operation);
        Assert.Contains("expectedRevisionId=4", delete.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_InCodePlanWhoseRevisionMoved_ReplansThatResource_AndKeepsTheOtherWritersStatement()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        var plan = await reconciler.PlanAsync(new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "Mine"))] });

        await client.EnsureStatementAsync(Role(Alias, "Theirs")); // another writer, after the plan was made

        var result = await reconciler.ApplyAsync(plan);

        Assert.Equal(ApplyOutcome.Applied, result.Resources[0].Outcome);
        Assert.Equal(1, result.Resources[0].Replans);
        Assert.Equal(["Theirs", "Mine"], Policy(emulator, Alias).Statement.Select(s => s.Sid));
        Assert.DoesNotContain(emulator.Requests, r => r.Operation == "CreateResourcePolicy" && r.Status != System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task Apply_SavedPlanWithAMovedRevision_IsRefusedWhole_NothingWritten()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        await client.EnsureStatementAsync(Role(Alias, "Base"));
        var saved = (await reconciler.PlanAsync(new DesiredState
        {
            Resources = [Resource(Alias, true, Role(Alias, "Mine")), Resource(Prod, false, Role(Prod, "Mine"))],
        })).ToJson();

        await client.EnsureStatementAsync(Role(Alias, "Drift"));
        int writesBefore = Writes(emulator).Count;

        var result = await reconciler.ApplyAsync(ReconcilePlan.Parse(saved, "plan.json"));

        Assert.False(result.Succeeded);
        Assert.Equal([ApplyOutcome.Refused, ApplyOutcome.Skipped], result.Resources.Select(r => r.Outcome));
        Assert.Contains("revision 1 then, 2 now", result.Resources[0].Message, StringComparison.Ordinal);
        Assert.Equal(writesBefore, Writes(emulator).Count);
        Assert.Null(emulator.GetPolicy(Prod));
    }

    [Fact]
    public async Task Apply_SavedPlan_PolicyRecreatedAtTheSameRevisionNumber_IsStillSeenAsMoved()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        await client.EnsureStatementAsync(Role(Alias, "Before"));
        var saved = (await reconciler.PlanAsync(new DesiredState { Resources = [Resource(Alias, true, Role(Alias, "Mine"))] })).ToJson();

        await client.RemoveStatementAsync(Alias, "Before"); // deletes the policy ...
        await client.EnsureStatementAsync(Role(Alias, "Intruder")); // ... and a new one is written
        // The emulator never repeats a revision; a service that restarted numbering after a delete would show the new policy at
        // revision 1 again, the number the plan saw. Put it there, so only the content tells the difference.
        emulator.SeedPolicy(Alias, emulator.GetPolicy(Alias)!.Policy, revision: 1);
        Assert.Equal("1", emulator.GetPolicy(Alias)!.RevisionId);

        var result = await reconciler.ApplyAsync(ReconcilePlan.Parse(saved));

        Assert.Equal(ApplyOutcome.Refused, result.Resources[0].Outcome);
        Assert.Contains("other content", result.Resources[0].Message, StringComparison.Ordinal);
        Assert.Equal(["Intruder"], Policy(emulator, Alias).Statement.Select(s => s.Sid));
    }

    [Fact]
    public async Task Apply_SavedPlanUnmoved_AppliesExactlyThePlannedChanges()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);
        await client.EnsureStatementAsync(Role(Bot, "Old"));
        var plan = await reconciler.PlanAsync(new DesiredState { Resources = [Resource(Bot, true, Role(Bot, "New"))] });
        var reread = ReconcilePlan.Parse(plan.ToJson());

        Assert.Equal(plan.Resources[0].Changes.Select(c => (c.Change, c.StatementId)), reread.Resources[0].Changes.Select(c => (c.Change, c.StatementId)));
        Assert.Equal(plan.Resources[0].Changes[0].Desired, reread.Resources[0].Changes[0].Desired! with { Principal = plan.Resources[0].Changes[0].Desired!.Principal, Action = plan.Resources[0].Changes[0].Desired!.Action });

        var result = await reconciler.ApplyAsync(reread);

        Assert.True(result.Succeeded);
        Assert.Equal(["New"], Policy(emulator, Bot).Statement.Select(s => s.Sid));
        Assert.Equal(["lex:DescribeBot", "lex:ListBotLocales", "lex:ListBotAliases"], Policy(emulator, Bot).Statement[0].Action!);
    }

    [Fact]
    public async Task Apply_ManyResources_RespectsTheConcurrencyBound_AndUsesIt()
    {
        var fake = new FakeLexPolicyClient { Delay = TimeSpan.FromMilliseconds(40) };
        // The first calls wait until three are in flight (for 30 s at most, so a reconciler that never makes three fails instead
        // of hanging): three at once then does not depend on how the machine schedules the calls, and more would be seen.
        var threeInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var giveUp = Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None);
        fake.BeforeAsync = async (_, _, _) =>
        {
            if (fake.MaxInFlight >= 3)
            {
                threeInFlight.TrySetResult();
            }

            await Task.WhenAny(threeInFlight.Task, giveUp);
        };
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxConcurrency = 3 });
        var resources = Enumerable.Range(0, 12).Select(i => Resource(Bot.Alias($"ALIAS{i:00000}"), false, Role(Bot.Alias($"ALIAS{i:00000}"), "App"))).ToArray();

        var result = await reconciler.ReconcileAsync(new DesiredState { Resources = resources });

        Assert.True(result.Succeeded);
        Assert.Equal(12, result.Count(ApplyOutcome.Applied));
        Assert.Equal(3, fake.MaxInFlight);
        Assert.Equal(12, fake.Calls.Count(c => c.StartsWith("Create ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Apply_OneResourceFails_TheOthersAreStillApplied_AndTheResultSaysWhich()
    {
        var fake = new FakeLexPolicyClient();
        fake.Before = (op, arn) =>
        {
            if (op == "Create" && arn == Prod)
            {
                throw new LexPolicyException("User is not authorized", System.Net.HttpStatusCode.Forbidden, "AccessDeniedException", null);
            }
        };
        var reconciler = new PolicyReconciler(fake);
        var progress = new List<ResourceApplyResult>();

        var result = await reconciler.ApplyAsync(
            await reconciler.PlanAsync(new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "A")), Resource(Prod, false, Role(Prod, "A")), Resource(Bot, false, Role(Bot, "A"))] }),
            new SyncProgress(progress));

        Assert.Equal([ApplyOutcome.Applied, ApplyOutcome.Failed, ApplyOutcome.Applied], result.Resources.Select(r => r.Outcome));
        Assert.Equal("AccessDeniedException", Assert.IsType<LexPolicyException>(result.Resources[1].Error).ErrorCode);
        Assert.NotNull(fake.Get(Alias));
        Assert.NotNull(fake.Get(Bot));
        Assert.Equal(3, progress.Count);
    }

    [Fact]
    public async Task Plan_OneResourceUnreadable_IsReportedAndLeftAlone_OthersPlanned()
    {
        var emulator = new LexPolicyEmulator();
        emulator.SeedPolicy(Prod, "{\"Statement\":[{\"Effect\":\"Maybe\"}]}");
        using var client = emulator.CreateClient();
        var reconciler = new PolicyReconciler(client);

        var plan = await reconciler.PlanAsync(new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "A")), Resource(Prod, true)] });

        Assert.True(plan.HasErrors);
        Assert.Null(plan.Resources[0].Error);
        Assert.Contains("cannot be read", plan.Resources[1].Error!.Message, StringComparison.Ordinal);
        // The plan says which resource failed, and why; such a plan is never applied from a file.
        string saved = plan.ToJson();
        Assert.Contains("\"error\": {", saved, StringComparison.Ordinal);
        Assert.Equal("$.resources[1].error", Assert.Single(Assert.Throws<DesiredStateException>(() => ReconcilePlan.Parse(saved)).Problems).Path);
        var result = await reconciler.ApplyAsync(plan);
        Assert.Equal([ApplyOutcome.Applied, ApplyOutcome.Failed], result.Resources.Select(r => r.Outcome));
        Assert.Single(Writes(emulator));
    }

    [Fact]
    public async Task Apply_RevisionMovesBetweenReadAndWrite_InCodeReplans_SavedPlanIsRefused()
    {
        var fake = new FakeLexPolicyClient();
        fake.Seed(Alias, PolicyWith("Base"), revision: 1);
        int interference = 0;
        fake.Before = (op, arn) =>
        {
            if (op == "Update" && interference++ == 0)
            {
                fake.Seed(Alias, PolicyWith("Base", "Sneaky"), revision: 2); // lands between the apply's read and its write
            }
        };
        var reconciler = new PolicyReconciler(fake);
        var desired = new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "Mine"))] };

        var replanned = await reconciler.ApplyAsync(await reconciler.PlanAsync(desired));

        Assert.Equal(ApplyOutcome.Applied, replanned.Resources[0].Outcome);
        Assert.Equal(1, replanned.Resources[0].Replans);
        Assert.Equal(["Base", "Sneaky", "Mine"], PolicyDocument.Parse(fake.Get(Alias)!.Value.Policy).Statement.Select(s => s.Sid));

        fake.Seed(Alias, PolicyWith("Base"), revision: 5);
        interference = 0;
        var saved = ReconcilePlan.Parse((await reconciler.PlanAsync(desired)).ToJson());
        var refused = await reconciler.ApplyAsync(saved);

        Assert.Equal(ApplyOutcome.Refused, refused.Resources[0].Outcome);
        Assert.IsType<PreconditionFailedException>(refused.Resources[0].Error);
        Assert.Equal(["Base", "Sneaky"], PolicyDocument.Parse(fake.Get(Alias)!.Value.Policy).Statement.Select(s => s.Sid));
    }

    [Fact]
    public async Task Apply_RevisionKeepsMoving_GivesUpAfterMaxReplans()
    {
        var fake = new FakeLexPolicyClient();
        int revision = 1;
        fake.Seed(Alias, PolicyWith("Base"), revision);
        fake.Before = (op, _) =>
        {
            if (op == "Update")
            {
                fake.Seed(Alias, PolicyWith("Base"), ++revision);
            }
        };
        var reconciler = new PolicyReconciler(fake, new ReconcileOptions { MaxReplans = 2 });

        var result = await reconciler.ReconcileAsync(new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "Mine"))] });

        Assert.Equal(ApplyOutcome.Failed, result.Resources[0].Outcome);
        Assert.IsType<PreconditionFailedException>(result.Resources[0].Error);
        Assert.Equal(3, fake.Calls.Count(c => c.StartsWith("Update", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PlanAsync_InvalidDesiredState_ThrowsWithEveryProblemAndSendsNothing()
    {
        var fake = new FakeLexPolicyClient();
        var reconciler = new PolicyReconciler(fake);
        var bad = new DesiredState
        {
            Resources =
            [
                Resource(Alias, false, Role(Alias, "Dup"), Role(Alias, "Dup") with { Action = ["lex:Recognize Text"] }),
                Resource(Alias, false),
                new DesiredResource { ResourceArn = "arn:aws:lex:us-east-1:123456789012:bot:OldBot:prod", Statements = [] },
            ],
        };

        var e = await Assert.ThrowsAsync<DesiredStateException>(() => reconciler.PlanAsync(bad));

        Assert.Contains(e.Problems, p => p.Path == "$.resources[0].statements[1].statementId" && p.Message.Contains("duplicate statementId 'Dup'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Path == "$.resources[0].statements[1].action[0]");
        Assert.Contains(e.Problems, p => p.Path == "$.resources[1].resourceArn" && p.Message.Contains("already listed at $.resources[0]", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Path == "$.resources[2].resourceArn" && p.Message.Contains("Lex V1", StringComparison.Ordinal));
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public void Validate_WithLint_ReportsFindingsAsLintProblems_WithoutLintNone()
    {
        var state = new DesiredState { Resources = [Resource(Alias, false, Role(Alias, "Typo", "lex:StartConversaion"))] };

        Assert.Empty(state.Validate());
        var finding = Assert.Single(state.Validate(lint: true));
        Assert.True(finding.IsLintFinding);
        Assert.Equal("$.resources[0].statements[0].action[0]", finding.Path);
        Assert.Contains("lex:StartConversation", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_PolicyDescribedWithoutRevision_IsAnErrorForThatResource_NeverABlindWrite()
    {
        var fake = new FakeLexPolicyClient { OmitRevision = true };
        fake.Seed(Alias, PolicyWith("Base"));
        var reconciler = new PolicyReconciler(fake);

        var result = await reconciler.ReconcileAsync(new DesiredState { Resources = [Resource(Alias, true)] });

        Assert.Equal(ApplyOutcome.Failed, result.Resources[0].Outcome);
        Assert.Contains("without a revision id", result.Resources[0].Message, StringComparison.Ordinal);
        Assert.All(fake.Calls, c => Assert.StartsWith("Describe", c, StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_RejectsOutOfRangeOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyReconciler(new FakeLexPolicyClient(), new ReconcileOptions { MaxConcurrency = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyReconciler(new FakeLexPolicyClient(), new ReconcileOptions { MaxReplans = 0 }));
    }

    private static string PolicyWith(params string[] sids) => new PolicyDocument
    {
        Statement = [.. sids.Select(sid => new PolicyStatement
        {
            Sid = sid,
            Effect = Effect.Allow,
            Principal = PolicyPrincipal.ForAws("arn:aws:iam::123456789012:role/" + sid),
            Action = PolicyValues.Many("lex:RecognizeText", "lex:StartConversation"),
            Resource = PolicyValues.One(Alias),
        })],
    }.ToJson();

    private sealed class SyncProgress(List<ResourceApplyResult> into) : IProgress<ResourceApplyResult>
    {
        public void Report(ResourceApplyResult value)
        {
            lock (into)
            {
                into.Add(value);
            }
        }
    }
}
