using System.Diagnostics;
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
        string dll = Path.Combine(AppContext.BaseDirectory, "LexV2.ResourcePolicy.Sample.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { dll, "serve", "--port", "0", "--access-key", "AKIDSERVETEST", "--secret-key", "serve/secret", "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull(line);
            Assert.Matches(@"^Listening on http://127\.0\.0\.1:\d+$", line);
            var endpoint = new Uri(line["Listening on ".Length..]);

            using var client = new LexPolicyClient(new LexPolicyClientOptions
            {
                ServiceUrl = endpoint,
                Region = "us-east-1",
                Credentials = new BasicAWSCredentials("AKIDSERVETEST", "serve/secret"),
            });
            using var wrong = new LexPolicyClient(new LexPolicyClientOptions
            {
                ServiceUrl = endpoint,
                Region = "us-east-1",
                Credentials = new BasicAWSCredentials("AKIDSERVETEST", "not/the/secret"),
                MaxRetries = 0,
            });
            const string alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123";

            var created = await client.CreateResourcePolicyStatementAsync(new()
            {
                ResourceArn = alias,
                StatementId = "Role",
                Effect = Effect.Allow,
                Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")],
                Action = ["lex:RecognizeText"],
            });
            var described = await client.DescribeResourcePolicyAsync(new() { ResourceArn = alias });
            await Assert.ThrowsAsync<ConflictException>(() => client.CreateResourcePolicyStatementAsync(new()
            {
                ResourceArn = alias, StatementId = "Role", Effect = Effect.Allow,
                Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/app")], Action = ["lex:RecognizeText"],
            }));
            var rejected = await Assert.ThrowsAsync<LexPolicyException>(() => wrong.DescribeResourcePolicyAsync(new() { ResourceArn = alias }));
            await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = alias, StatementId = "Role", ExpectedRevisionId = "1" });

            Assert.Equal("1", created.RevisionId);
            Assert.Contains("arn:aws:iam::123456789012:role/app", described.Policy);
            Assert.Equal("InvalidSignatureException", rejected.ErrorCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            }

            bool exited = process.WaitForExit(TimeSpan.FromSeconds(15));
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
            }

            Assert.True(exited, "serve mode did not stop on SIGTERM");
            Assert.Equal(0, process.ExitCode);
        }
    }
}
