namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>Idempotent, concurrency-safe Ensure/Remove through the emulator.</summary>
public class EnsureRemoveTests
{
    private static readonly BotAliasArn Alias = BotAliasArn.Parse("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID");

    private static CreateResourcePolicyStatementRequest RoleStatement(int i) =>
        LexGrant.IamPrincipal(Alias, $"arn:aws:iam::123456789012:role/app{i}", $"App{i}");

    private static bool IsWrite(RecordedRequest r) => r.Method != "GET";

    [Fact]
    public async Task EightConcurrentEnsures_EachRepeated_ConvergeWithEveryStatementOnce()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var first = await client.EnsureStatementAsync(RoleStatement(i));
            var again = await client.EnsureStatementAsync(RoleStatement(i));
            return (first, again);
        }));

        var policy = PolicyDocument.Parse(emulator.GetPolicy(Alias)!.Policy);
        Assert.Equal(8, policy.Statement.Count);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"App{i}").Order(), policy.Statement.Select(s => s.Sid!).Order());
        Assert.All(results, r => Assert.Equal(StatementChange.Added, r.first.Change));
        Assert.All(results, r => Assert.Equal(StatementChange.None, r.again.Change));
        Assert.Equal("8", emulator.GetPolicy(Alias)!.RevisionId);
    }

    [Fact]
    public async Task EnsureOfAnExistingEqualStatement_IssuesNoWrite_EvenWithConditionsInAnotherOrder()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        var grant = LexGrant.ConnectInstance(Alias, "arn:aws:connect:us-east-1:123456789012:instance/abc");
        await client.EnsureStatementAsync(grant);
        int writes = emulator.Requests.Count(IsWrite);

        var reordered = grant with
        {
            Action = [.. grant.Action.Reverse()],
            Condition = grant.Condition!.Reverse().ToDictionary(kv => kv.Key, kv => kv.Value),
        };
        var result = await client.EnsureStatementAsync(reordered);

        Assert.Equal(StatementChange.None, result.Change);
        Assert.Equal("1", result.RevisionId);
        Assert.Equal(writes, emulator.Requests.Count(IsWrite));
    }

    [Fact]
    public async Task EnsureOfADifferentStatementWithTheSameId_ReplacesIt_WithTheExpectedRevision()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        await client.EnsureStatementAsync(RoleStatement(1));
        await client.EnsureStatementAsync(RoleStatement(2));

        var result = await client.EnsureStatementAsync(RoleStatement(1) with { Action = ["lex:RecognizeText"] });

        Assert.Equal(StatementChange.Replaced, result.Change);
        Assert.Equal("3", result.RevisionId);
        var policy = PolicyDocument.Parse(emulator.GetPolicy(Alias)!.Policy);
        Assert.Equal(["App1", "App2"], policy.Statement.Select(s => s.Sid));
        Assert.Equal(["lex:RecognizeText"], policy.Statement[0].Action!);
        Assert.Contains(emulator.Requests, r => r.Operation == "UpdateResourcePolicy" && r.PathAndQuery.EndsWith("expectedRevisionId=2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureAfterAConcurrentWriter_ReReadsAndSucceeds()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        await client.EnsureStatementAsync(RoleStatement(1));
        emulator.Faults.Clear();
        var interfering = new InterferingClient(client, emulator);

        var result = await interfering.EnsureStatementAsync(RoleStatement(2));

        Assert.Equal(StatementChange.Added, result.Change);
        Assert.Equal(2, result.Rounds);
        Assert.Equal(3, PolicyDocument.Parse(emulator.GetPolicy(Alias)!.Policy).Statement.Count);
    }

    [Fact]
    public async Task Remove_IsIdempotent_AbsentIsSuccess()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();

        var noPolicy = await client.RemoveStatementAsync(Alias, "App1");
        await client.EnsureStatementAsync(RoleStatement(1));
        await client.EnsureStatementAsync(RoleStatement(2));
        var removed = await client.RemoveStatementAsync(Alias, "App1");
        var again = await client.RemoveStatementAsync(Alias, "App1");

        Assert.Equal((StatementChange.None, (string?)null), (noPolicy.Change, noPolicy.RevisionId));
        Assert.Equal((StatementChange.Removed, "3"), (removed.Change, removed.RevisionId));
        Assert.Equal((StatementChange.None, "3"), (again.Change, again.RevisionId));
        Assert.False(again.Changed);
    }

    [Fact]
    public async Task ConcurrentRemoves_AllSucceed()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient();
        foreach (int i in Enumerable.Range(0, 4))
        {
            await client.EnsureStatementAsync(RoleStatement(i));
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.RemoveStatementAsync(Alias, $"App{i % 4}")));

        Assert.Equal(4, results.Count(r => r.Change == StatementChange.Removed));
        Assert.Null(emulator.GetPolicy(Alias)); // the last statement took the policy with it
    }

    /// <summary>Lets another writer change the policy between this caller's read and its first write.</summary>
    private sealed class InterferingClient(ILexPolicyClient inner, LexPolicyEmulator emulator) : ILexPolicyClient
    {
        private int _interfered;

        public async Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _interfered, 1) == 0)
            {
                using var other = emulator.CreateClient();
                await other.CreateResourcePolicyStatementAsync(RoleStatement(99), cancellationToken);
            }

            return await inner.CreateResourcePolicyStatementAsync(request, cancellationToken);
        }

        public Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) => inner.DeleteResourcePolicyStatementAsync(request, cancellationToken);

        public Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default) => inner.CreateResourcePolicyAsync(request, cancellationToken);

        public Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default) => inner.DescribeResourcePolicyAsync(request, cancellationToken);

        public Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default) => inner.UpdateResourcePolicyAsync(request, cancellationToken);

        public Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default) => inner.DeleteResourcePolicyAsync(request, cancellationToken);
    }
}
