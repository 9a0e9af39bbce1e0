using System.Net;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// A write can be applied and its answer lost (<see cref="EmulatorFaults.DropNextResponsesAfterCommit"/>): the client's retry
/// of CreateResourcePolicyStatement then meets its own committed statement, and EnsureStatementAsync converges through it.
/// </summary>
public class LostAnswerTests
{
    private const string Alias = TestSigning.Alias;

    private static CreateResourcePolicyStatementRequest Role(string sid = "App") => TestSigning.RoleStatement(sid);

    private static LexPolicyClient Client(LexPolicyEmulator emulator) =>
        emulator.CreateClient(o => { o.BaseRetryDelay = TimeSpan.FromMilliseconds(1); o.MaxRetryDelay = TimeSpan.FromMilliseconds(5); });

    [Fact]
    public async Task RetriedCreateStatement_AfterALostAnswer_IsConflict_AndTheStatementIsThereOnce()
    {
        var emulator = new LexPolicyEmulator();
        using var client = Client(emulator);
        emulator.Faults.DropNextResponsesAfterCommit(1);

        var e = await Assert.ThrowsAsync<ConflictException>(() => client.CreateResourcePolicyStatementAsync(Role()));

        Assert.Equal(2, e.Attempts);
        Assert.Equal([0, 409], emulator.Requests.Select(r => (int)r.Status));
        Assert.Equal(1, emulator.GetPolicy(Alias)!.StatementCount);
        Assert.Equal("1", emulator.GetPolicy(Alias)!.RevisionId);
    }

    [Fact]
    public async Task RetriedCreateStatement_WithAnExpectedRevision_AfterALostAnswer_IsPreconditionFailed()
    {
        var emulator = new LexPolicyEmulator();
        using var client = Client(emulator);
        var first = await client.CreateResourcePolicyStatementAsync(Role("First"));
        emulator.Faults.DropNextResponsesAfterCommit(1);

        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.CreateResourcePolicyStatementAsync(Role() with { ExpectedRevisionId = first.RevisionId }));

        Assert.Equal(2, emulator.GetPolicy(Alias)!.StatementCount);
    }

    [Fact]
    public async Task EnsureStatement_ConvergesThroughLostAnswers()
    {
        var emulator = new LexPolicyEmulator();
        using var client = Client(emulator);
        await client.EnsureStatementAsync(Role("Existing"));
        emulator.Faults.DropNextResponsesAfterCommit(2);

        // Another role: the same grant under another id would already be in place (EnsureStatementAsync answers None for it).
        var other = Role("New") with { Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/other")] };
        var added = await client.EnsureStatementAsync(other);
        var replaced = await client.EnsureStatementAsync(Role("Existing") with { Action = ["lex:StartConversation"] });
        var again = await client.EnsureStatementAsync(other);

        var policy = PolicyDocument.Parse(emulator.GetPolicy(Alias)!.Policy);
        Assert.Equal(["Existing", "New"], policy.Statement.Select(s => s.Sid).Order());
        Assert.Equal(["lex:StartConversation"], policy.Statement.Single(s => s.Sid == "Existing").Action!);
        Assert.Equal(StatementChange.None, again.Change);
        Assert.Equal(emulator.GetPolicy(Alias)!.RevisionId, again.RevisionId);
        Assert.Equal(2, emulator.Requests.Count(r => r.Status == 0));
        Assert.NotNull(added);
        Assert.NotNull(replaced);
    }

    [Fact]
    public async Task Served_LostAnswer_DropsTheTcpConnection_AfterTheWriteIsCommitted()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        emulator.Faults.DropNextResponsesAfterCommit(1);

        var answer = await WireSigningTests.SendSignedAsync(server.Endpoint, "App", ["Content-Type: application/json"], ["Content-Type=application/json"]);
        var retried = await WireSigningTests.SendSignedAsync(server.Endpoint, "App", ["Content-Type: application/json"], ["Content-Type=application/json"]);

        Assert.Null(answer); // no status line, no byte: the connection was closed (reset) without an answer
        Assert.Equal(1, emulator.GetPolicy(TestSigning.Alias)!.StatementCount);
        Assert.Equal((409, "ConflictException"), (retried!.Status, retried.Header("x-amzn-ErrorType")!.Split(':')[0]));
    }

    [Fact]
    public async Task Served_RealClient_RetriesALostAnswer_AndEnsureConverges()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint, Region = "us-east-1", BaseRetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5),
            Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
        });
        emulator.Faults.DropNextResponsesAfterCommit(1);

        var result = await client.EnsureStatementAsync(Role());

        Assert.Equal(StatementChange.None, result.Change); // its own lost write was found on the re-read
        Assert.Equal("1", result.RevisionId);
        Assert.Contains(emulator.Requests, r => r.Status == 0 && r.Operation == "CreateResourcePolicyStatement");
        Assert.Contains(emulator.Requests, r => r.Status == HttpStatusCode.Conflict);
    }
}
