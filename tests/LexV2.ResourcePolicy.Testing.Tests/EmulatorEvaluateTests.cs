namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// <see cref="LexPolicyEmulator.Evaluate"/>: a consumer's test asserts access after its code changed the emulator's policies
/// through the real client, and the emulator's answer is the library evaluator's on the stored document.
/// </summary>
[Trait("Issue", "23")]
public class EmulatorEvaluateTests
{
    private const string Alias = "arn:aws:lex:eu-west-2:123456789012:bot-alias/BOTID12345/TSTALIASID";
    private const string Instance = "arn:aws:connect:eu-west-2:123456789012:instance/abc";

    private static AccessRequest Connect(string instance = Instance) => new()
    {
        Principal = "connect.amazonaws.com",
        Action = "lex:StartConversation",
        Resource = Alias,
        Context = new Dictionary<string, IReadOnlyList<string>> { ["aws:SourceArn"] = [instance], ["aws:SourceAccount"] = ["123456789012"] },
    };

    [Fact]
    public async Task Evaluate_AfterTheCodeUnderTestGrantedAndRevoked_FollowsTheStoredPolicy()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient(o => o.Region = "eu-west-2");
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, emulator.Evaluate(Connect()).Decision);

        await client.EnsureStatementAsync(LexGrant.ConnectInstance(BotAliasArn.Parse(Alias), Instance));
        var allowed = emulator.Evaluate(Connect());
        Assert.Equal(AccessDecisionKind.Allowed, allowed.Decision);
        Assert.Equal("AllowConnect-abc", Assert.Single(allowed.Statements).Sid); // LexGrant names the statement after the instance

        var otherInstance = emulator.Evaluate(Connect("arn:aws:connect:eu-west-2:123456789012:instance/zzz"));
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, otherInstance.Decision);
        Assert.Equal("Condition", otherInstance.Statements[0].Element);

        await client.RemoveStatementAsync(Alias, "AllowConnect-abc");
        Assert.Equal(AccessDecisionKind.ImplicitlyDenied, emulator.Evaluate(Connect()).Decision);
    }

    [Fact]
    public void Evaluate_AgreesWithThePolicyEvaluator_OnTheStoredDocument()
    {
        var emulator = new LexPolicyEmulator();
        const string Policy = """{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/ops"},"Action":"lex:*","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Principal":"*","Action":"lex:Delete*","Resource":"*"}]}""";
        emulator.SeedPolicy(Alias, Policy);
        foreach (string action in new[] { "lex:RecognizeText", "lex:DeleteBotAlias" })
        {
            var request = new AccessRequest { Principal = "arn:aws:sts::123456789012:assumed-role/ops/s", Action = action, Resource = Alias };
            Assert.Equal(PolicyEvaluator.Evaluate(PolicyDocument.Parse(Policy), request), emulator.Evaluate(request));
        }

        Assert.Equal(AccessDecisionKind.ExplicitlyDenied, emulator.Evaluate(new AccessRequest { Principal = "123456789012", Action = "lex:DeleteBotAlias", Resource = Alias }).Decision);
    }

    [Fact]
    public void Evaluate_AMalformedRequest_IsRefusedNamingTheMember()
    {
        var emulator = new LexPolicyEmulator();
        var e = Assert.Throws<ArgumentException>(() => emulator.Evaluate(new AccessRequest { Principal = "connect", Action = "lex:StartConversation", Resource = Alias }));
        Assert.Contains("AccessRequest.Principal", e.Message, StringComparison.Ordinal);
    }
}
