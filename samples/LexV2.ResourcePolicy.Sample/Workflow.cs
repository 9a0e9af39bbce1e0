using System.Text.Json;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Sample;

/// <summary>
/// The main job: let Amazon Connect use a bot alias. Grants the access with its two conditions, reads the policy back, shows
/// a conflict and a stale revision being handled, then removes what it added. Runs against the embedded emulator unless an
/// AWS region is configured or <c>--endpoint-url</c> is given.
/// </summary>
public static class Workflow
{
    private const string Usage =
        "usage: [--resource-arn BOT_ALIAS_ARN] [--source-arn CONNECT_INSTANCE_ARN] [--endpoint-url URL] [--region R] " +
        "[--access-key K --secret-key S] [--emulator] [--report-first-call]   |   serve [--port N] [--access-key K --secret-key S] [--region R] [--parent-pid P]";

    /// <summary>Runs the workflow and returns the process exit code (0 on success).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where progress is printed.</param>
    /// <returns>0 on success, 1 on failure, 2 on bad arguments.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        Arguments a;
        try
        {
            a = new Arguments(args, "--emulator", "--help", "--report-first-call");
        }
        catch (ArgumentException e)
        {
            await output.WriteLineAsync(e.Message + "\n" + Usage);
            return 2;
        }

        if (a.Has("--help"))
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }

        string? region = a["--region"] ?? ConfiguredRegion();
        bool remote = !a.Has("--emulator") && (a["--endpoint-url"] is not null || region is not null);
        region ??= "us-east-1";
        string account = "123456789012";
        string resourceArn = a["--resource-arn"] ?? $"arn:aws:lex:{region}:{account}:bot-alias/SAMPLEBOT1/TSTALIASID";
        account = resourceArn.Split(':') is { Length: > 4 } parts ? parts[4] : account;
        string sourceArn = a["--source-arn"] ?? $"arn:aws:connect:{region}:{account}:instance/11111111-2222-3333-4444-555555555555";

        var options = new LexPolicyClientOptions { Region = region, ApplicationName = "lexv2-sample" };
        LexPolicyClient client;
        if (remote)
        {
            if (a["--endpoint-url"] is { } url)
            {
                options.ServiceUrl = new Uri(url);
            }

            if (a["--access-key"] is { } key && a["--secret-key"] is { } secret)
            {
                options.Credentials = new BasicAWSCredentials(key, secret);
            }

            client = new LexPolicyClient(options);
            await output.WriteLineAsync($"Using {client.Endpoint} (region {client.SigningRegion}).");
        }
        else
        {
            options.Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey);
            client = new LexPolicyClient(options, new LexPolicyEmulator());
            await output.WriteLineAsync("No AWS region or --endpoint-url configured: using the embedded Lex policy emulator.");
        }

        using (client)
        {
            try
            {
                await RunStepsAsync(client, resourceArn, sourceArn, account, output, a.Has("--report-first-call"));
                await output.WriteLineAsync("Done: access granted, verified and removed.");
                return 0;
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await output.WriteLineAsync($"FAILED: {e.Message}\n{Usage}");
                return 2;
            }
            catch (LexPolicyException e)
            {
                await output.WriteLineAsync($"FAILED: {e.GetType().Name}: {e.Message}");
                if (remote && e is ResourceNotFoundException)
                {
                    await output.WriteLineAsync("Pass --resource-arn with the ARN of one of your bot aliases.");
                }

                return 1;
            }
        }
    }

    /// <summary>The region an AWS SDK would use (environment or profile), or <see langword="null"/> when AWS is not configured.</summary>
    private static string? ConfiguredRegion()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        try
        {
            return FallbackRegionFactory.GetRegionEndpoint(false)?.SystemName;
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }

    private static async Task RunStepsAsync(ILexPolicyClient client, string resourceArn, string sourceArn, string account, TextWriter output, bool reportFirstCall)
    {
        // LexGrant fills in the service principal, the default bot-alias actions and both required conditions
        // (aws:SourceAccount and aws:SourceArn) from the Connect instance ARN.
        var grant = LexGrant.ServiceAccess(LexResourceArn.Parse(resourceArn), "connect.amazonaws.com", sourceArn, "AllowConnectToUseBotAlias");
        foreach (var finding in PolicyLinter.Lint(grant))
        {
            await output.WriteLineAsync("   lint: " + finding);
        }

        await output.WriteLineAsync($"1. Granting connect.amazonaws.com lex:RecognizeText and lex:StartConversation on {resourceArn}");
        var created = await client.CreateResourcePolicyStatementAsync(grant);
        if (reportFirstCall)
        {
            // Cold start: process start to the first completed call (JIT vs NativeAOT; see README "Performance").
            var sinceStart = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;
            await output.WriteLineAsync($"   first call completed {sinceStart.TotalMilliseconds:0} ms after process start");
        }

        await output.WriteLineAsync($"   added statement {grant.StatementId}; policy revision {created.RevisionId}");

        await output.WriteLineAsync("2. Reading the policy back");
        var described = await client.DescribeResourcePolicyAsync(new() { ResourceArn = resourceArn });
        using (var doc = JsonDocument.Parse(described.Policy ?? "{}"))
        {
            int count = doc.RootElement.TryGetProperty("Statement", out var st) ? st.GetArrayLength() : 0;
            await output.WriteLineAsync($"   revision {described.RevisionId}, {count} statement(s): {described.Policy}");
        }

        // "Would Connect be allowed?" answered offline from the policy just read: no call, no account needed.
        await output.WriteLineAsync("   would Amazon Connect be allowed to start a conversation? (PolicyEvaluator, offline)");
        var live = PolicyDocument.Parse(described.Policy ?? "{}");
        int slash = sourceArn.LastIndexOf('/');
        string otherInstance = slash > 0 ? sourceArn[..(slash + 1)] + "99999999-8888-7777-6666-555555555555" : sourceArn + "-other";
        foreach (string instance in new[] { sourceArn, otherInstance })
        {
            var decision = PolicyEvaluator.Evaluate(live, new AccessRequest
            {
                Principal = "connect.amazonaws.com",
                Action = "lex:StartConversation",
                Resource = resourceArn,
                Context = new Dictionary<string, IReadOnlyList<string>> { ["aws:SourceArn"] = [instance], ["aws:SourceAccount"] = [account] },
            });
            await output.WriteLineAsync($"   from {instance}: {decision.Decision}{(decision.IsAllowed ? string.Empty : " - " + decision.Summary)}");
        }

        await output.WriteLineAsync("3. Adding the same statement again");
        try
        {
            await client.CreateResourcePolicyStatementAsync(grant);
            throw new InvalidOperationException("The duplicate statement was accepted; expected a ConflictException.");
        }
        catch (ConflictException e)
        {
            await output.WriteLineAsync($"   ConflictException as expected (request id {e.RequestId}): the grant is already in place, nothing to do");
        }

        await output.WriteLineAsync("4. Adding a deployer-role statement with a stale revision id");
        string stale = described.RevisionId!;
        var arn = LexResourceArn.Parse(resourceArn);
        await client.CreateResourcePolicyStatementAsync(
            LexGrant.IamPrincipal(arn, $"arn:aws:iam::{account}:root", "SampleConcurrentWriter", ["lex:DeleteSession"]) with { Effect = Effect.Deny, ExpectedRevisionId = stale });
        var roleStatement = LexGrant.IamPrincipal(arn, $"arn:aws:iam::{account}:role/lex-deployer", "AllowDeployerRole", ["lex:RecognizeText"]) with { ExpectedRevisionId = stale };
        string revision;
        try
        {
            revision = (await client.CreateResourcePolicyStatementAsync(roleStatement)).RevisionId!;
            throw new InvalidOperationException("The stale revision was accepted; expected a PreconditionFailedException.");
        }
        catch (PreconditionFailedException)
        {
            string current = (await client.DescribeResourcePolicyAsync(new() { ResourceArn = resourceArn })).RevisionId!;
            await output.WriteLineAsync($"   PreconditionFailedException: revision {stale} is stale (another writer moved it to {current}); re-read and retried");
            revision = (await client.CreateResourcePolicyStatementAsync(roleStatement with { ExpectedRevisionId = current })).RevisionId!;
            await output.WriteLineAsync($"   added statement AllowDeployerRole; policy revision {revision}");
        }

        await output.WriteLineAsync("5. Removing the statements this sample added");
        foreach (string sid in new[] { "AllowDeployerRole", "SampleConcurrentWriter", grant.StatementId })
        {
            await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = resourceArn, StatementId = sid, ExpectedRevisionId = revision });
            try
            {
                revision = (await client.DescribeResourcePolicyAsync(new() { ResourceArn = resourceArn })).RevisionId!;
                await output.WriteLineAsync($"   removed {sid}; policy revision {revision}");
            }
            catch (ResourceNotFoundException)
            {
                await output.WriteLineAsync($"   removed {sid}; that was the last statement, so the policy is gone");
            }
        }
    }
}
