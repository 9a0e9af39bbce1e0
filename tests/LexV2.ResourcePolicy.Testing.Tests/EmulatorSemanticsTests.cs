using System.Net;
using System.Text.Json;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

public class EmulatorSemanticsTests
{
    private const string Alias = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123";
    private const string Bot = "arn:aws:lex:us-east-1:123456789012:bot/BOTID12345";
    private const string ConnectArn = "arn:aws:connect:us-east-1:123456789012:instance/abc";

    private static readonly Dictionary<string, IReadOnlyDictionary<string, string>> ConnectConditions = new()
    {
        ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = "123456789012" },
        ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = ConnectArn },
    };

    private readonly LexPolicyEmulator _emulator = new();

    private static CreateResourcePolicyStatementRequest Grant(string sid = "Connect", string arn = Alias) => new()
    {
        ResourceArn = arn,
        StatementId = sid,
        Effect = Effect.Allow,
        Principal = [Principal.ForService("connect.amazonaws.com")],
        Action = ["lex:RecognizeText", "lex:StartConversation"],
        Condition = ConnectConditions,
    };

    private LexPolicyClient Client(bool validate = false) => _emulator.CreateClient(o => { o.ValidateRequests = validate; o.MaxRetries = 0; });

    [Fact]
    public async Task CreateStatement_CreatesPolicyAtRevision1_ThenAddsWithRevision2()
    {
        using var client = Client();
        var first = await client.CreateResourcePolicyStatementAsync(Grant("A"));
        var second = await client.CreateResourcePolicyStatementAsync(Grant("B") with { ExpectedRevisionId = "1" });

        Assert.Equal("1", first.RevisionId);
        Assert.Equal("2", second.RevisionId);
        Assert.Equal(Alias, second.ResourceArn);
        Assert.Equal(2, _emulator.GetPolicy(Alias)!.StatementCount);
    }

    [Fact]
    public async Task DescribeResourcePolicy_ReturnsIamPolicyJson()
    {
        using var client = Client();
        await client.CreateResourcePolicyStatementAsync(Grant());
        await client.CreateResourcePolicyStatementAsync(new()
        {
            ResourceArn = Alias, StatementId = "Role", Effect = Effect.Deny,
            Principal = [Principal.ForArn("arn:aws:iam::123456789012:role/a"), Principal.ForArn("arn:aws:iam::123456789012:root")],
            Action = ["lex:DeleteSession"],
        });

        var described = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias });

        Assert.Equal("2", described.RevisionId);
        using var doc = JsonDocument.Parse(described.Policy!);
        var root = doc.RootElement;
        Assert.Equal("2012-10-17", root.GetProperty("Version").GetString());
        var s0 = root.GetProperty("Statement")[0];
        Assert.Equal("Connect", s0.GetProperty("Sid").GetString());
        Assert.Equal("Allow", s0.GetProperty("Effect").GetString());
        Assert.Equal("connect.amazonaws.com", s0.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal(["lex:RecognizeText", "lex:StartConversation"], s0.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(Alias, s0.GetProperty("Resource").GetString());
        Assert.Equal(ConnectArn, s0.GetProperty("Condition").GetProperty("ArnEquals").GetProperty("aws:SourceArn").GetString());
        var s1 = root.GetProperty("Statement")[1];
        Assert.Equal(2, s1.GetProperty("Principal").GetProperty("AWS").GetArrayLength());
        Assert.False(s1.TryGetProperty("Condition", out _));
    }

    [Fact]
    public async Task DuplicateStatementId_IsConflict()
    {
        using var client = Client();
        await client.CreateResourcePolicyStatementAsync(Grant());
        var e = await Assert.ThrowsAsync<ConflictException>(() => client.CreateResourcePolicyStatementAsync(Grant()));
        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
        Assert.NotNull(e.RequestId);
    }

    [Fact]
    public async Task StaleExpectedRevision_IsPreconditionFailed_ForEveryWritingOperation()
    {
        using var client = Client();
        await client.CreateResourcePolicyStatementAsync(Grant("A"));
        await client.CreateResourcePolicyStatementAsync(Grant("B"));

        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.CreateResourcePolicyStatementAsync(Grant("C") with { ExpectedRevisionId = "1" }));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "A", ExpectedRevisionId = "1" }));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.UpdateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = """{"Version":"2012-10-17","Statement":[]}""", ExpectedRevisionId = "9" }));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.DeleteResourcePolicyAsync(new() { ResourceArn = Alias, ExpectedRevisionId = "1" }));
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.CreateResourcePolicyStatementAsync(Grant("X", Bot) with { ExpectedRevisionId = "1" }));
        Assert.Equal("2", _emulator.GetPolicy(Alias)!.RevisionId);
    }

    [Fact]
    public async Task MissingPolicyOrStatement_IsResourceNotFound()
    {
        using var client = Client();
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DeleteResourcePolicyAsync(new() { ResourceArn = Alias }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.UpdateResourcePolicyAsync(new() { ResourceArn = Alias, Policy = """{"Statement":[]}""" }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "Nope" }));
        await client.CreateResourcePolicyStatementAsync(Grant());
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "Nope" }));
    }

    [Fact]
    public async Task DeclaredMissingResource_IsResourceNotFound()
    {
        _emulator.DeclareMissingResource(Bot);
        using var client = Client();
        var e = await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.CreateResourcePolicyStatementAsync(Grant("A", Bot)));
        Assert.Contains(Bot, e.Message);
    }

    [Fact]
    public async Task WholePolicyLifecycle_CreateDescribeUpdateDelete()
    {
        using var client = Client();
        const string policy = """{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lex:*","Resource":"*"}]}""";
        var created = await client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy });
        await Assert.ThrowsAsync<PreconditionFailedException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy }));
        var updated = await client.UpdateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = policy.Replace("S1", "S2", StringComparison.Ordinal), ExpectedRevisionId = "1" });
        var described = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Bot });
        await client.DeleteResourcePolicyAsync(new() { ResourceArn = Bot, ExpectedRevisionId = "2" });

        Assert.Equal("1", created.RevisionId);
        Assert.Equal("2", updated.RevisionId);
        Assert.Contains("\"S2\"", described.Policy);
        Assert.Null(_emulator.GetPolicy(Bot));
    }

    [Fact]
    public async Task DeletingTheLastStatement_DeletesThePolicy()
    {
        using var client = Client();
        await client.CreateResourcePolicyStatementAsync(Grant("A"));
        await client.CreateResourcePolicyStatementAsync(Grant("B"));

        await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "A", ExpectedRevisionId = "2" });
        Assert.Equal("3", (await client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias })).RevisionId);
        await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "B" });

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));
        Assert.Null(_emulator.GetPolicy(Alias));
    }

    public static TheoryData<string, CreateResourcePolicyStatementRequest> InvalidStatements => new()
    {
        { "statementId", Grant("bad id") },
        { "statementId", Grant(new string('a', 101)) },
        { "principal", Grant() with { Principal = [new Principal { Service = "connect.amazonaws.com", Arn = "arn:aws:iam::123456789012:root" }] } },
        { "principal", Grant() with { Principal = [new Principal()] } },
        { "cross-account", Grant() with { Principal = [Principal.ForArn("arn:aws:iam::999999999999:role/x")], Condition = null } },
        { "SourceAccount", Grant() with { Condition = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["ArnEquals"] = ConnectConditions["ArnEquals"] } } },
        { "SourceArn", Grant() with { Condition = null } },
        { "action", Grant() with { Action = ["lex:Recognize-Text"] } },
        { "action", Grant() with { Action = ["ex:Go"] } },
        { "service", Grant() with { Principal = [Principal.ForService("short.com")] } },
        { "arn", Grant() with { Principal = [Principal.ForArn("arn:aws:iam::123456789012:group/x")], Condition = null } },
        { "condition", Grant() with { Condition = Enumerable.Range(0, 11).ToDictionary(i => $"Op{i}", i => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["aws:SourceAccount"] = "1", ["aws:SourceArn"] = "a" }) } },
        { "expectedRevisionId", Grant() with { ExpectedRevisionId = "12a" } },
        { "expectedRevisionId", Grant() with { ExpectedRevisionId = "123456" } },
    };

    [Theory]
    [MemberData(nameof(InvalidStatements))]
    public async Task DocumentedConstraints_AreValidationExceptions_FromTheEmulatorItself(string rule, CreateResourcePolicyStatementRequest request)
    {
        using var client = Client(validate: false);
        var e = await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyStatementAsync(request));
        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.NotEmpty(rule);
        Assert.Null(_emulator.GetPolicy(Alias));
    }

    [Fact]
    public async Task InvalidPolicyDocument_IsValidationException_AndOversizedIsQuota()
    {
        using var client = Client();
        await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = "{not json" }));
        await Assert.ThrowsAsync<ValidationException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = """{"Statement":[{"Sid":"a","Effect":"Allow"},{"Sid":"a","Effect":"Allow"}]}""" }));
        string big = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"lex:*\",\"X\":\"" + new string('x', 21_000) + "\"}]}";
        await Assert.ThrowsAsync<ServiceQuotaExceededException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = Bot, Policy = big }));
    }

    [Fact]
    public async Task MalformedResourceArn_IsValidationException()
    {
        using var client = Client();
        var e = await Assert.ThrowsAsync<ValidationException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-east-1:123456789012:bot:OrderPizza:prod" }));
        Assert.Contains("not a Lex V2", e.Message);
    }

    [Fact]
    public async Task WrongSecret_IsInvalidSignature_UnknownKey_IsUnrecognizedClient()
    {
        using var wrongSecret = _emulator.CreateClient(o => { o.Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, "not-the-secret"); o.MaxRetries = 0; });
        using var unknownKey = _emulator.CreateClient(o => { o.Credentials = new BasicAWSCredentials("AKIAUNKNOWN", "x"); o.MaxRetries = 0; });

        var bad = await Assert.ThrowsAsync<LexPolicyException>(() => wrongSecret.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));
        var unknown = await Assert.ThrowsAsync<LexPolicyException>(() => unknownKey.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));

        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (bad.StatusCode, bad.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "UnrecognizedClientException"), (unknown.StatusCode, unknown.ErrorCode));
    }

    [Fact]
    public async Task ExpiredSignature_IsInvalidSignature_AndTheClientCorrectsItsClock()
    {
        var serverTime = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(30));
        var emulator = new LexPolicyEmulator(new LexPolicyEmulatorOptions { TimeProvider = serverTime });
        using var client = new LexPolicyClient(
            new LexPolicyClientOptions { Region = "us-east-1", Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey) },
            emulator);

        await client.CreateResourcePolicyStatementAsync(Grant());

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.OK], emulator.Requests.Select(r => r.Status));
        Assert.Equal("InvalidSignatureException", emulator.Requests[0].ErrorCode);
    }

    [Fact]
    public async Task InjectedThrottleAndFailures_AreRetriedByTheClient_AndRecorded()
    {
        using var client = _emulator.CreateClient(o => { o.BaseRetryDelay = TimeSpan.FromMilliseconds(1); o.MaxRetryDelay = TimeSpan.FromMilliseconds(5); o.MaxRetries = 5; });
        _emulator.Faults.ThrottleNext(1, TimeSpan.Zero);
        _emulator.Faults.FailNext(1, HttpStatusCode.ServiceUnavailable);
        _emulator.Faults.DropNextConnections(1);

        var response = await client.CreateResourcePolicyStatementAsync(Grant());

        Assert.Equal("1", response.RevisionId);
        Assert.Equal([0, 429, 503, 200], _emulator.Requests.Select(r => (int)r.Status));
        Assert.All(_emulator.Requests, r => Assert.Equal("CreateResourcePolicyStatement", r.Operation));
    }

    [Fact]
    public async Task ThrottleWithoutRetries_SurfacesRetryAfter()
    {
        using var client = Client();
        _emulator.Faults.ThrottleNext(1, TimeSpan.FromSeconds(3));
        var e = await Assert.ThrowsAsync<ThrottlingException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias }));
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
    }

    [Fact]
    public async Task ConcurrentStatements_AreAllKept_WithOneRevisionPerChange()
    {
        using var client = Client();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.CreateResourcePolicyStatementAsync(Grant($"S{i}"))));
        var policy = _emulator.GetPolicy(Alias)!;
        Assert.Equal(50, policy.StatementCount);
        Assert.Equal("50", policy.RevisionId);
    }

    [Fact]
    public async Task SeededState_IsVisibleThroughTheClient()
    {
        _emulator.SeedPolicy(Bot, """{"Version":"2012-10-17","Statement":[{"Sid":"Seed","Effect":"Allow","Action":"lex:*"}]}""", revision: 41);
        using var client = Client();
        var described = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Bot });
        Assert.Equal("41", described.RevisionId);
        Assert.Contains("Seed", described.Policy);
        Assert.Contains(Bot, _emulator.ResourceArns);
    }

    [Theory]
    [InlineData("not-an-arn")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot/SHORT")]
    [InlineData("arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345")]
    public void SeedPolicy_ForAnArnThatIsNotALexV2BotOrAlias_Throws_NamingTheArn(string arn)
    {
        var thrown = Assert.Throws<ArgumentException>(() => _emulator.SeedPolicy(arn, """{"Version":"2012-10-17","Statement":[{"Sid":"Seed","Effect":"Allow","Action":"lex:*"}]}"""));

        Assert.Equal("resourceArn", thrown.ParamName);
        Assert.Contains("is not a Lex V2 bot or bot alias ARN", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(_emulator.ResourceArns);
    }

    [Fact]
    public async Task PathWithoutTrailingSlash_IsAccepted()
    {
        using var client = Client();
        await client.CreateResourcePolicyStatementAsync(Grant());
        using var raw = new HttpClient(new Signing.AwsSigV4Handler(new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey), "us-east-1") { InnerHandler = _emulator });
        using var response = await raw.GetAsync(new Uri("https://models-v2-lex.us-east-1.amazonaws.com/policy/" + Uri.EscapeDataString(Alias)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
