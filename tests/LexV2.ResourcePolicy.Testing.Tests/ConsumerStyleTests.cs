using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// How a user tests their own code that calls the SDK: (1) against the emulator, through DI, exactly as in production;
/// (2) with a plain hand-written fake of <see cref="ILexPolicyClient"/>, when only the calls matter.
/// </summary>
public class ConsumerStyleTests
{
    /// <summary>The user's own service: grants a Connect instance access to a bot alias, idempotently.</summary>
    private sealed class BotAccessService(ILexPolicyClient lex)
    {
        public async Task<bool> GrantConnectAsync(string aliasArn, string instanceArn, CancellationToken ct = default)
        {
            string account = aliasArn.Split(':')[4];
            try
            {
                await lex.CreateResourcePolicyStatementAsync(new()
                {
                    ResourceArn = aliasArn,
                    StatementId = "ConnectAccess",
                    Effect = Effect.Allow,
                    Principal = [Principal.ForService("connect.amazonaws.com")],
                    Action = ["lex:RecognizeText", "lex:StartConversation"],
                    Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
                    {
                        ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = account },
                        ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = instanceArn },
                    },
                }, ct);
                return true;
            }
            catch (ConflictException)
            {
                return false; // already granted
            }
        }
    }

    private const string Alias = "arn:aws:lex:eu-west-2:123456789012:bot-alias/BOTID12345/TSTALIASID";
    private const string Instance = "arn:aws:connect:eu-west-2:123456789012:instance/abc";

    [Fact]
    public async Task WithTheEmulator_ThroughDependencyInjection()
    {
        var emulator = new LexPolicyEmulator();
        var services = new ServiceCollection();
        services.AddLexPolicyClient(o => o.Region = "eu-west-2").UseLexPolicyEmulator(emulator);
        services.AddTransient<BotAccessService>();
        using var sp = services.BuildServiceProvider();
        var service = sp.GetRequiredService<BotAccessService>();

        Assert.True(await service.GrantConnectAsync(Alias, Instance));
        Assert.False(await service.GrantConnectAsync(Alias, Instance));

        var policy = emulator.GetPolicy(Alias)!;
        Assert.Equal(1, policy.StatementCount);
        Assert.Contains(Instance, policy.Policy);
        Assert.Equal(2, emulator.Requests.Count(r => r.Operation == "CreateResourcePolicyStatement"));
    }

    /// <summary>A plain fake: records requests and answers as told. No mocking library needed.</summary>
    private sealed class FakeLexPolicyClient : ILexPolicyClient
    {
        public List<CreateResourcePolicyStatementRequest> Created { get; } = [];

        public Exception? NextError { get; set; }

        public Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default)
        {
            Created.Add(request);
            return NextError is { } e ? Task.FromException<CreateResourcePolicyStatementResponse>(e) : Task.FromResult(new CreateResourcePolicyStatementResponse { ResourceArn = request.ResourceArn, RevisionId = "1" });
        }

        public Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) => Task.FromResult(new DeleteResourcePolicyStatementResponse());

        public Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default) => Task.FromResult(new CreateResourcePolicyResponse());

        public Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default) => Task.FromResult(new DescribeResourcePolicyResponse());

        public Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default) => Task.FromResult(new UpdateResourcePolicyResponse());

        public Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default) => Task.FromResult(new DeleteResourcePolicyResponse());
    }

    [Fact]
    public async Task WithAPlainInterfaceFake()
    {
        var fake = new FakeLexPolicyClient();
        var service = new BotAccessService(fake);

        Assert.True(await service.GrantConnectAsync(Alias, Instance));
        fake.NextError = new ConflictException("exists");
        Assert.False(await service.GrantConnectAsync(Alias, Instance));

        var sent = fake.Created[0];
        Assert.Equal("123456789012", sent.Condition!["StringEquals"]["aws:SourceAccount"]);
        Assert.Equal("connect.amazonaws.com", sent.Principal.Single().Service);
    }

    /// <summary>This assembly has no access to the library's internals, so this is what a consumer's test can write.</summary>
    [Fact]
    public void Consumer_CanBuildTheErrorsItHandles_IncludingAttemptsAndExcerpt()
    {
        var throttled = new ThrottlingException("Rate exceeded", TimeSpan.FromSeconds(2), "req-1") { Attempts = 4, ResponseExcerpt = "<html>slow down</html>" };
        var proxy = new LexPolicyException("bad gateway", System.Net.HttpStatusCode.BadGateway, null, "r") { Attempts = 1 };

        Assert.Equal(4, throttled.Attempts);
        Assert.Equal("<html>slow down</html>", throttled.ResponseExcerpt);
        Assert.Equal(1, proxy.Attempts);
        Assert.Null(proxy.ResponseExcerpt);
    }

    [Fact]
    public async Task NamedClients_CanEachBePluggedIntoTheirOwnEmulator()
    {
        var europe = new LexPolicyEmulator();
        var us = new LexPolicyEmulator();
        var services = new ServiceCollection();
        services.AddLexPolicyClient("europe", o => o.Region = "eu-west-1").UseLexPolicyEmulator(europe);
        services.AddLexPolicyClient("us", o => o.Region = "us-west-2").UseLexPolicyEmulator(us);
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<ILexPolicyClientFactory>();
        var grant = LexGrant.IamPrincipal(BotArn.Parse("arn:aws:lex:eu-west-1:123456789012:bot/ABCDEFGHIJ"), "arn:aws:iam::123456789012:role/app", "App");

        await factory.CreateClient("europe").EnsureStatementAsync(grant);

        Assert.Single(europe.ResourceArns);
        Assert.Empty(us.ResourceArns);
        Assert.All(europe.Requests, r => Assert.Contains("/eu-west-1/lex/aws4_request", r.Headers["authorization"], StringComparison.Ordinal));
        Assert.Contains(europe.Requests, r => r.Operation == "CreateResourcePolicyStatement" && r.Status == System.Net.HttpStatusCode.OK);
    }
}
