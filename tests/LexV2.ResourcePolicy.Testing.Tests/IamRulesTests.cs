using System.Net;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Reconcile;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The emulator is as strict as the client, on rules of its own (issue #20): IAM condition operators and value types, the
/// service-principal rule under pinning operators only, no wildcard principal in a policy, and the resource ARN in the region
/// the request was signed for. Sent with the client's validation off, so the emulator's verdict is what is tested.
/// </summary>
public class IamRulesTests
{
    private const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    private const string EuAlias = "arn:aws:lex:eu-west-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID";
    private const string Instance = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555";
    private const string DisasterRecovery = "arn:aws:connect:us-east-1:123456789012:instance/66666666-7777-8888-9999-000000000000";

    private readonly LexPolicyEmulator _emulator = new();

    private LexPolicyClient Unvalidated(string region = "us-east-1") => _emulator.CreateClient(o => { o.ValidateRequests = false; o.MaxRetries = 0; o.Region = region; });

    private static CreateResourcePolicyStatementRequest Connect(string accountOperator = "StringEquals", string arnOperator = "ArnEquals", string arn = Alias) => new()
    {
        ResourceArn = arn,
        StatementId = "AllowConnect",
        Effect = Effect.Allow,
        Principal = [Principal.ForService("connect.amazonaws.com")],
        Action = ["lex:RecognizeText"],
        Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            [accountOperator] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
            [arnOperator] = new Dictionary<string, string> { ["aws:SourceArn"] = Instance },
        },
    };

    [Theory]
    [InlineData("StringEqualz", "Invalid Condition type: StringEqualz")]
    [InlineData("NullIfExists", "Invalid Condition type: NullIfExists")]
    [InlineData("ForAnyValues:StringEquals", "Invalid Condition type: ForAnyValues:StringEquals")]
    public async Task Statement_WithAnOperatorOutsideTheIamGrammar_Is400ValidationException(string op, string expected)
    {
        using var client = Unvalidated();

        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyStatementAsync(Connect(accountOperator: op)));

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Null(_emulator.GetPolicy(Alias));
    }

    [Theory]
    [InlineData("StringEqualsIfExists", "ArnEquals")]
    [InlineData("StringNotEquals", "ArnEquals")]
    [InlineData("StringEquals", "ArnLikeIfExists")]
    [InlineData("StringEquals", "ForAnyValue:ArnEquals")]
    public async Task ServicePrincipal_WhoseSourceKeysAreNotPinned_Is400(string accountOperator, string arnOperator)
    {
        using var client = Unvalidated();

        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyStatementAsync(Connect(accountOperator, arnOperator)));

        Assert.Contains("each under StringEquals, StringLike, ArnEquals or ArnLike", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws:SourceAccount", "StringLike", "*")]
    [InlineData("aws:SourceAccount", "StringEquals", "${aws:SourceAccount}")]
    [InlineData("aws:SourceArn", "ArnLike", "*")]
    [InlineData("aws:SourceArn", "ArnEquals", "arn:aws:connect:*:*:*")]
    [InlineData("aws:SourceArn", "StringLike", "arn:*")]
    public async Task ServicePrincipal_WhoseSourceKeyValueNamesNoOneSource_Is400(string key, string op, string value)
    {
        using var client = Unvalidated();
        var condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
            ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = Instance },
        };
        condition.Remove(key == "aws:SourceAccount" ? "StringEquals" : "ArnEquals");
        condition[op] = new Dictionary<string, string> { [key] = value };

        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyStatementAsync(Connect() with { Condition = condition }));

        Assert.Contains("with a value that names one source", e.Message, StringComparison.Ordinal);
        Assert.Null(_emulator.GetPolicy(Alias));
    }

    [Fact]
    public async Task ServicePrincipal_WithAWildcardOnlyOutsideTheAccount_IsAdded()
    {
        using var client = Unvalidated();
        var request = Connect(arnOperator: "ArnLike") with
        {
            Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
                ["ArnLike"] = new Dictionary<string, string> { ["aws:SourceArn"] = "arn:aws:connect:*:123456789012:instance/*" },
            },
        };

        Assert.Equal("1", (await client.CreateResourcePolicyStatementAsync(request)).RevisionId);
    }

    [Theory]
    [InlineData("StringEquals", "ArnEquals")]
    [InlineData("StringLike", "ArnLike")]
    public async Task ServicePrincipal_WithPinnedSourceKeys_IsAdded(string accountOperator, string arnOperator)
    {
        using var client = Unvalidated();
        Assert.Equal("1", (await client.CreateResourcePolicyStatementAsync(Connect(accountOperator, arnOperator))).RevisionId);
    }

    [Theory]
    [InlineData("NumericLessThan", "soon", "is not a number")]
    [InlineData("DateGreaterThan", "tomorrow", "is not an ISO 8601 date")]
    [InlineData("Bool", "yes", "is not true or false")]
    [InlineData("IpAddress", "203.0.113.0/33", "is not an IP address or CIDR range")]
    [InlineData("BinaryEquals", "###", "is not base64")]
    public async Task Statement_WithAValueNotOfItsOperatorsType_Is400(string op, string value, string expected)
    {
        using var client = Unvalidated();
        var request = Connect() with
        {
            Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>(Connect().Condition!) { [op] = new Dictionary<string, string> { ["aws:CurrentTime"] = value } },
        };

        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyStatementAsync(request));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArnInAnotherRegionThanTheCredentialScope_Is400_NamingBothRegions_ForEveryOperation()
    {
        using var client = Unvalidated("us-east-1");
        Func<Task>[] calls =
        [
            () => client.CreateResourcePolicyStatementAsync(Connect(arn: EuAlias)),
            () => client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = EuAlias, StatementId = "A" }),
            () => client.CreateResourcePolicyAsync(new() { ResourceArn = EuAlias, Policy = """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*"}]}""" }),
            () => client.DescribeResourcePolicyAsync(new() { ResourceArn = EuAlias }),
            () => client.UpdateResourcePolicyAsync(new() { ResourceArn = EuAlias, Policy = """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*"}]}""" }),
            () => client.DeleteResourcePolicyAsync(new() { ResourceArn = EuAlias }),
        ];

        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<ValidationException>(call);
            Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
            Assert.Contains("is in region eu-west-1, but the request was signed for region us-east-1", e.Message, StringComparison.Ordinal);
        }

        Assert.Empty(_emulator.ResourceArns);
    }

    [Fact]
    public async Task ArnInTheCredentialScopesRegion_IsServed_InAnyRegion()
    {
        using var client = Unvalidated("eu-west-1");
        await client.CreateResourcePolicyStatementAsync(Connect(arn: EuAlias));
        Assert.NotNull(_emulator.GetPolicy(EuAlias));
    }

    [Fact]
    public async Task TwoConnectInstances_GrantedInTurnToOneAlias_AreBothAdded_AndBothStatementsArePresent()
    {
        using var client = _emulator.CreateClient();
        var alias = BotAliasArn.Parse(Alias);

        var production = await client.EnsureStatementAsync(LexGrant.ConnectInstance(alias, Instance));
        var recovery = await client.EnsureStatementAsync(LexGrant.ConnectInstance(alias, DisasterRecovery));

        Assert.Equal((StatementChange.Added, StatementChange.Added), (production.Change, recovery.Change));
        var policy = PolicyDocument.Parse(_emulator.GetPolicy(Alias)!.Policy);
        Assert.Equal(
            ["AllowConnect-11111111-2222-3333-4444-555555555555", "AllowConnect-66666666-7777-8888-9999-000000000000"],
            policy.Statement.Select(s => s.Sid));
        Assert.Equal([Instance, DisasterRecovery], policy.Statement.Select(s => s.Condition!["ArnEquals"]["aws:SourceArn"][0]));
    }

    [Fact]
    public async Task TwoQualifiedFunctions_WithTheSameQualifier_GrantedInTurn_AreBothAdded()
    {
        using var client = _emulator.CreateClient();
        var alias = BotAliasArn.Parse(Alias);

        var orders = await client.EnsureStatementAsync(LexGrant.ServiceAccess(alias, "lambda.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:orders:live"));
        var refunds = await client.EnsureStatementAsync(LexGrant.ServiceAccess(alias, "lambda.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:refunds:live"));

        Assert.Equal((StatementChange.Added, StatementChange.Added), (orders.Change, refunds.Change));
        Assert.Equal(2, _emulator.GetPolicy(Alias)!.StatementCount);
    }

    [Fact]
    public async Task GrantUnderTheOldDefaultId_IsAlreadyPresent_NoSecondCopy_AndTheResultNamesIt()
    {
        using var client = _emulator.CreateClient();
        var alias = BotAliasArn.Parse(Alias);
        await client.CreateResourcePolicyStatementAsync(LexGrant.ConnectInstance(alias, Instance, "AllowConnect"));

        var again = await client.EnsureStatementAsync(LexGrant.ConnectInstance(alias, Instance));

        Assert.Equal(StatementChange.None, again.Change);
        Assert.Equal("AllowConnect", again.StatementId);
        Assert.Equal("1", again.RevisionId);
        Assert.Equal(1, _emulator.GetPolicy(Alias)!.StatementCount);
        Assert.Equal(1, _emulator.Requests.Count(r => r.Method != "GET"));
    }

    /// <summary>A common guard: nobody may use the alias over plain HTTP. A Deny for "*" narrows access; it grants nothing.</summary>
    private const string DenyGuard =
        """{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"lex:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}""";

    [Fact]
    public async Task LivePolicyWithADenyGuardForEveryone_StaysEditable_ByEnsureReplacingAStatement()
    {
        string stale = """{"Sid":"AllowConnect-11111111-2222-3333-4444-555555555555","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:RecognizeText","Resource":""" +
            $"\"{Alias}\"" + ""","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnEquals":{"aws:SourceArn":""" + $"\"{Instance}\"" + "}}}";
        _emulator.SeedPolicy(Alias, $$"""{"Version":"2012-10-17","Statement":[{{DenyGuard}},{{stale}}]}""");
        using var client = _emulator.CreateClient(o => o.MaxRetries = 0);

        var result = await client.EnsureStatementAsync(LexGrant.ConnectInstance(BotAliasArn.Parse(Alias), Instance));

        Assert.Equal(StatementChange.Replaced, result.Change);
        var policy = PolicyDocument.Parse(_emulator.GetPolicy(Alias)!.Policy);
        Assert.True(policy.Statement.Single(s => s.Sid == "DenyInsecureTransport").Principal!.IsAnyone);
    }

    [Fact]
    public async Task LivePolicyWithADenyGuardForEveryone_StaysEditable_ByTheReconcilerWithoutPrune()
    {
        _emulator.SeedPolicy(Alias, $$"""{"Version":"2012-10-17","Statement":[{{DenyGuard}}]}""");
        using var client = _emulator.CreateClient(o => o.MaxRetries = 0);
        var reconciler = new PolicyReconciler(client);
        var desired = new DesiredState
        {
            Resources = [new DesiredResource { ResourceArn = Alias, Statements = [LexGrant.ConnectInstance(BotAliasArn.Parse(Alias), Instance)] }],
        };

        var result = await reconciler.ApplyAsync(await reconciler.PlanAsync(desired));

        Assert.True(result.Succeeded, result.ToString() + " " + string.Join("; ", result.Resources.Select(r => r.Error?.Message)));
        Assert.Equal(["DenyInsecureTransport", "AllowConnect-11111111-2222-3333-4444-555555555555"], PolicyDocument.Parse(_emulator.GetPolicy(Alias)!.Policy).Statement.Select(s => s.Sid));
    }

    [Theory]
    [InlineData("""{"Effect":"Deny","Principal":"*","Action":"lex:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}""")]
    [InlineData("""{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"lex:DeleteResourcePolicy"}""")]
    [InlineData("""{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/admin"},"Action":"lex:DeleteResourcePolicy"}""")]
    public async Task DocumentWithADenyForEveryone_IsStored(string statement)
    {
        using var client = Unvalidated();
        await client.CreateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = $$"""{"Version":"2012-10-17","Statement":[{{statement}}]}""" });
        Assert.NotNull(_emulator.GetPolicy(Alias));
    }

    [Theory]
    [InlineData("""{"Effect":"Allow","Principal":"*","Action":"lex:RecognizeText"}""")]
    [InlineData("""{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Action":"lex:RecognizeText"}""")]
    [InlineData("""{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/blocked"},"Action":"lex:RecognizeText"}""")]
    public async Task DocumentAllowingEveryone_OrEveryoneButSome_Is400_NamingTheRule(string statement)
    {
        using var client = Unvalidated();

        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = $$"""{"Version":"2012-10-17","Statement":[{{statement}}]}""" }));

        Assert.Contains("$.Statement[0]", e.Message, StringComparison.Ordinal);
        Assert.Contains("an Allow for a wildcard principal", e.Message, StringComparison.Ordinal);
        Assert.Null(_emulator.GetPolicy(Alias));
    }

    /// <summary>
    /// The issue's points end to end through the served emulator on a real loopback socket, by its public API only: with the
    /// client's validation on nothing leaves the process; with it off the emulator answers 400 for each; the grants meet.
    /// </summary>
    [Fact]
    public async Task Served_EveryPointOfTheIssue_OverARealSocket()
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator);
        LexPolicyClient Client(bool validate) => new(new LexPolicyClientOptions
        {
            ServiceUrl = server.Endpoint,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
            MaxRetries = 0,
            ValidateRequests = validate,
        });

        using var strict = Client(validate: true);
        using var loose = Client(validate: false);
        const string wildcard = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"lex:RecognizeText","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}""";
        Func<LexPolicyClient, Task>[] mistakes =
        [
            c => c.CreateResourcePolicyStatementAsync(Connect(accountOperator: "StringEqualz")),
            c => c.DescribeResourcePolicyAsync(new() { ResourceArn = EuAlias }),
            c => c.CreateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = wildcard }),
        ];
        string[] named = ["StringEqualz", "eu-west-1", "wildcard principal"];

        for (int i = 0; i < mistakes.Length; i++)
        {
            var refused = await Assert.ThrowsAsync<RequestValidationException>(() => mistakes[i](strict));
            Assert.Contains(named[i], refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(emulator.Requests);

        for (int i = 0; i < mistakes.Length; i++)
        {
            var answered = await Assert.ThrowsAsync<ValidationException>(() => mistakes[i](loose));
            Assert.IsNotType<RequestValidationException>(answered);
            Assert.Equal(HttpStatusCode.BadRequest, answered.StatusCode);
            Assert.Contains(named[i], answered.Message, StringComparison.Ordinal);
        }

        Assert.Equal(mistakes.Length, emulator.Requests.Count);
        Assert.Null(emulator.GetPolicy(Alias));

        var alias = BotAliasArn.Parse(Alias);
        var production = await strict.EnsureStatementAsync(LexGrant.ConnectInstance(alias, Instance));
        var recovery = await strict.EnsureStatementAsync(LexGrant.ConnectInstance(alias, DisasterRecovery));
        Assert.Equal((StatementChange.Added, StatementChange.Added), (production.Change, recovery.Change));
        Assert.Equal(2, emulator.GetPolicy(Alias)!.StatementCount);
    }
}
