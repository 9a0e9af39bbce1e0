namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>Revision ids for an ARN never repeat, even across delete and re-create, so a writer holding an old one cannot overwrite a new policy.</summary>
public class RevisionTests
{
    private const string Alias = TestSigning.Alias;
    private readonly LexPolicyEmulator _emulator = new();

    private static CreateResourcePolicyStatementRequest Role(string sid) => TestSigning.RoleStatement(sid);

    [Fact]
    public async Task DeletingTheLastStatementAndAddingAnother_GivesANewRevision_AndTheOldOneIsStale()
    {
        using var client = _emulator.CreateClient(o => o.MaxRetries = 0);
        var first = await client.CreateResourcePolicyStatementAsync(Role("A"));
        await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "A", ExpectedRevisionId = first.RevisionId });
        var recreated = await client.CreateResourcePolicyStatementAsync(Role("B"));

        Assert.NotEqual(first.RevisionId, recreated.RevisionId);
        // A writer still holding the first revision must not delete (or overwrite) the new policy: lost update.
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "B", ExpectedRevisionId = first.RevisionId }));
        Assert.Equal(recreated.RevisionId, _emulator.GetPolicy(Alias)!.RevisionId);
    }

    [Fact]
    public async Task DeletingThePolicyAndCreatingItAgain_GivesANewRevision_AndTheOldOneIsStale()
    {
        using var client = _emulator.CreateClient(o => o.MaxRetries = 0);
        const string policy = """{"Statement":[{"Sid":"S","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*"}]}""";
        var first = await client.CreateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = policy });
        await client.DeleteResourcePolicyAsync(new() { ResourceArn = Alias, ExpectedRevisionId = first.RevisionId });
        var recreated = await client.CreateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = policy });

        Assert.NotEqual(first.RevisionId, recreated.RevisionId);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.UpdateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = policy, ExpectedRevisionId = first.RevisionId }));
    }

    [Fact]
    public async Task EveryRevisionOfAnArn_IsDistinct_OverManyDeletesAndRecreates()
    {
        using var client = _emulator.CreateClient(o => o.MaxRetries = 0);
        var seen = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            seen.Add((await client.CreateResourcePolicyStatementAsync(Role("A"))).RevisionId!);
            seen.Add((await client.CreateResourcePolicyStatementAsync(Role("B"))).RevisionId!);
            await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "A" });
            await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "B" });
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
    }
}
