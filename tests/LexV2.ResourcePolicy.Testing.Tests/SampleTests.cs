using Amazon.Runtime;
using LexV2.ResourcePolicy.Sample;

namespace LexV2.ResourcePolicy.Testing.Tests;

public class SampleTests
{
    [Fact]
    public async Task Workflow_OnTheEmbeddedEmulator_CompletesEveryStepAndExitsZero()
    {
        using var output = new StringWriter();
        int exit = await Workflow.RunAsync(["--emulator"], output);

        string text = output.ToString();
        Assert.True(exit == 0, text);
        Assert.Contains("from arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555: Allowed", text);
        Assert.Contains("from arn:aws:connect:us-east-1:123456789012:instance/99999999-8888-7777-6666-555555555555: ImplicitlyDenied", text);
        Assert.Contains("ConflictException as expected", text);
        Assert.Contains("PreconditionFailedException: revision 1 is stale", text);
        Assert.Contains("removed SampleConcurrentWriter; policy revision 5", text);
        Assert.Contains("removed AllowConnectToUseBotAlias; that was the last statement, so the policy is gone", text);
    }

    [Fact]
    public async Task Workflow_BadArguments_ExitTwo()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await Workflow.RunAsync(["stray"], output));
        Assert.Equal(2, await Workflow.RunAsync(["--emulator", "--resource-arn", "arn:aws:lex:us-east-1:123456789012:bot:OrderPizza:prod"], output));
        Assert.Contains("Lex V1", output.ToString());
    }

    [Fact]
    public async Task ServeMode_InItsOwnProcess_IsDrivenOverRealHttp_AndStopsOnSigterm()
    {
        await using var server = await ServeProcess.StartAsync("--access-key", "AKIDSERVETEST", "--secret-key", "serve/secret");
        Assert.Matches(@"^Listening on http://127\.0\.0\.1:\d+$", server.ListeningLine);
        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDSERVETEST", "serve/secret"),
        });
        using var wrong = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDSERVETEST", "not/the/secret"),
            MaxRetries = 0,
        });
        const string alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123";
        var statement = new CreateResourcePolicyStatementRequest
        {
            ResourceArn = alias, StatementId = "Role", Effect = Effect.Allow,
            Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")], Action = ["lex:RecognizeText"],
        };

        var created = await client.CreateResourcePolicyStatementAsync(statement);
        var described = await client.DescribeResourcePolicyAsync(new() { ResourceArn = alias });
        await Assert.ThrowsAsync<ConflictException>(() => client.CreateResourcePolicyStatementAsync(statement));
        var rejected = await Assert.ThrowsAsync<LexPolicyException>(() => wrong.DescribeResourcePolicyAsync(new() { ResourceArn = alias }));
        await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = alias, StatementId = "Role", ExpectedRevisionId = "1" });

        Assert.Equal("1", created.RevisionId);
        Assert.Contains("arn:aws:iam::123456789012:role/app", described.Policy);
        Assert.Equal("InvalidSignatureException", rejected.ErrorCode);
        Assert.True(server.Stop(TimeSpan.FromSeconds(60)), "serve mode did not stop on SIGTERM");
        Assert.Equal(0, server.ExitCode);
    }

    [Fact]
    public async Task ServeMode_BadArguments_ExitTwo_ATakenPortExitsOne()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await EmulatorServer.RunAsync(["--port", "eighty"], output));
        Assert.Equal(2, await EmulatorServer.RunAsync(["--access-key", "AKID"], output));
        await using var taken = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        Assert.Equal(1, await EmulatorServer.RunAsync(["--port", taken.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], output));
        Assert.Empty(output.ToString()); // no listening line
    }
}
