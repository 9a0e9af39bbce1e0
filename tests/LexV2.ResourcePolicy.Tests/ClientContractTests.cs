using System.Net;
using LexV2.ResourcePolicy.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests;

/// <summary>What a caller of the client can rely on: how calls fail, which settings count, which region signs.</summary>
public class ClientContractTests
{
    private static readonly DescribeResourcePolicyRequest Invalid = new() { ResourceArn = "" };

    [Fact]
    public async Task InvalidRequest_FailsThroughTheTask_NotAtTheCallSite()
    {
        using var m = new MockClient();
        m.Http.When("*").Respond(HttpStatusCode.OK, "application/json", "{}");
        var calls = new List<Func<Task>>
        {
            () => m.Client.DescribeResourcePolicyAsync(Invalid),
            () => m.Client.CreateResourcePolicyAsync(new() { ResourceArn = "", Policy = "{}" }),
            () => m.Client.UpdateResourcePolicyAsync(new() { ResourceArn = "", Policy = "{}" }),
            () => m.Client.DeleteResourcePolicyAsync(new() { ResourceArn = "" }),
            () => m.Client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = "", StatementId = "s" }),
            () => m.Client.CreateResourcePolicyStatementAsync(Fixtures.ConnectGrant() with { ResourceArn = "" }),
        };

        foreach (var call in calls)
        {
            Task task = call(); // must not throw here
            await Assert.ThrowsAsync<RequestValidationException>(() => task);
        }
    }

    [Fact]
    public async Task WhenAllOverMixedRequests_ObservesEveryCall()
    {
        using var m = new MockClient();
        int sent = 0;
        m.Http.When("*").With(_ => Interlocked.Increment(ref sent) > 0).Respond(HttpStatusCode.OK, "application/json", "{}");
        DescribeResourcePolicyRequest[] requests = [new() { ResourceArn = Fixtures.AliasArn }, Invalid, new() { ResourceArn = Fixtures.BotArn }];

        Task all = Task.WhenAll(requests.Select(r => m.Client.DescribeResourcePolicyAsync(r)));
        await Assert.ThrowsAsync<RequestValidationException>(() => all);
        Assert.Equal(2, sent);
    }

    [Fact]
    public void NullRequest_ThrowsAtTheCallSite()
    {
        using var m = new MockClient();
        Assert.Throws<ArgumentNullException>(() => { _ = m.Client.DescribeResourcePolicyAsync(null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = m.Client.CreateResourcePolicyStatementAsync(null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = m.Client.EnsureStatementAsync(null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = m.Client.RemoveStatementAsync(null!, "s"); });
        Assert.Throws<ArgumentNullException>(() => { _ = m.Client.RemoveStatementAsync(Fixtures.AliasArn, null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = LexPolicyClientExtensions.EnsureStatementAsync(null!, Fixtures.ConnectGrant()); });
    }

    [Fact]
    public async Task EnsureAndRemove_FailThroughTheTask()
    {
        using var m = new MockClient();
        m.Http.When("*").Respond(HttpStatusCode.OK, "application/json", "{}");
        Task ensure = m.Client.EnsureStatementAsync(Fixtures.ConnectGrant() with { ResourceArn = "" });
        Task remove = m.Client.RemoveStatementAsync("", "s");
        await Assert.ThrowsAsync<RequestValidationException>(() => ensure);
        await Assert.ThrowsAsync<RequestValidationException>(() => remove);
    }

    [Fact]
    public async Task OptionsChangedAfterTheClientIsBuilt_DoNotChangeIt()
    {
        var options = new LexPolicyClientOptions { Region = "us-east-1", Credentials = Fixtures.Credentials, MaxRetries = 2, BaseRetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(1) };
        var http = new MockHttpMessageHandler();
        int sent = 0;
        http.When("*").With(_ => Interlocked.Increment(ref sent) > 0).Respond(HttpStatusCode.ServiceUnavailable);
        using var client = new LexPolicyClient(options, http);

        options.ValidateRequests = false;
        options.MaxRetries = 0;
        options.RejectLintFindings = true;
        options.Region = "eu-west-1";

        await Assert.ThrowsAsync<RequestValidationException>(() => client.DescribeResourcePolicyAsync(Invalid));
        Assert.Equal(0, sent);
        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));
        Assert.Equal(3, e.Attempts);
        Assert.Equal(3, sent);
        Assert.Equal("us-east-1", client.SigningRegion);
        var lintable = Fixtures.ConnectGrant() with { Action = ["lex:StartConversaion"] };
        http.Clear();
        http.When("*").Respond(HttpStatusCode.OK, "application/json", """{"revisionId":"1"}""");
        Assert.Equal("1", (await client.CreateResourcePolicyStatementAsync(lintable)).RevisionId);
    }

    [Theory]
    [InlineData("https://vpce-0a1b2c3d-abcdefgh.models-v2-lex.eu-west-1.vpce.amazonaws.com", "eu-west-1")]
    [InlineData("https://models-v2-lex.ap-southeast-2.amazonaws.com", "ap-southeast-2")]
    [InlineData("https://models-v2-lex-fips.us-gov-west-1.amazonaws.com/", "us-gov-west-1")]
    [InlineData("https://models-v2-lex.cn-north-1.amazonaws.com.cn", "cn-north-1")]
    [InlineData("http://127.0.0.1:4566", "us-east-1")]
    [InlineData("http://localhost.localstack.cloud:4566", "us-east-1")]
    [InlineData("https://lex.internal.example.com", "us-east-1")]
    public async Task CustomEndpointWithoutRegion_SignsForTheRegionItsHostNames(string serviceUrl, string expected)
    {
        var http = new MockHttpMessageHandler();
        string? authorization = null;
        http.When("*").With(r => { authorization = r.Headers.GetValues("Authorization").Single(); return true; }).Respond(HttpStatusCode.OK, "application/json", "{}");
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = new Uri(serviceUrl), Credentials = Fixtures.Credentials }, http);

        // A host that names no region keeps the ambient region (AWS_REGION, profile), else us-east-1, as before.
        string region = expected == "us-east-1" ? LexV2.ResourcePolicy.Configuration.ClientSettings.Resolve(new LexPolicyClientOptions { ServiceUrl = new Uri("http://127.0.0.1:1") }).Region ?? "us-east-1" : expected;
        await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArnIn(region) });

        Assert.Equal(region, client.SigningRegion);
        Assert.Contains($"/{region}/lex/aws4_request", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplicitRegion_WinsOverTheEndpointHost()
    {
        var http = new MockHttpMessageHandler();
        http.When("*").Respond(HttpStatusCode.OK, "application/json", "{}");
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Region = "us-west-2", ServiceUrl = new Uri("https://models-v2-lex.eu-west-1.amazonaws.com"), Credentials = Fixtures.Credentials }, http);
        Assert.Equal("us-west-2", client.SigningRegion);
        await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArnIn("us-west-2") });
    }

    [Fact]
    public async Task EnsureAndRemove_DoNotLogWarningsForAnswersTheyHandle()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        using var m = new MockClient(null, loggerFactory);
        var grant = Fixtures.ConnectGrant();
        string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
        int describes = 0, creates = 0, deletes = 0;
        m.Http.When(HttpMethod.Get, "*").Respond(_ => ++describes switch
        {
            1 => Error(404, "ResourceNotFoundException"),
            2 => Ok($$"""{"policy":{{System.Text.Json.JsonSerializer.Serialize(policy)}},"revisionId":"1"}"""),
            _ => Ok($$"""{"policy":{{System.Text.Json.JsonSerializer.Serialize(policy)}},"revisionId":"2"}"""),
        });
        m.Http.When(HttpMethod.Post, "*").Respond(_ => ++creates switch
        {
            1 => Error(412, "PreconditionFailedException"),
            2 => Error(409, "ConflictException"),
            _ => Ok("""{"revisionId":"3"}"""),
        });
        m.Http.When(HttpMethod.Delete, "*").Respond(_ => ++deletes == 1 ? Error(404, "ResourceNotFoundException") : new HttpResponseMessage(HttpStatusCode.NoContent));

        var added = await m.Client.EnsureStatementAsync(grant);
        Assert.Equal(StatementChange.Added, added.Change);
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);

        // A real failure is still a warning.
        m.Http.Clear();
        m.Http.When("*").Respond(_ => Error(400, "ValidationException"));
        await Assert.ThrowsAsync<ValidationException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));
        Assert.Single(collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);

        static HttpResponseMessage Ok(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body) };
        static HttpResponseMessage Error(int status, string code) => new((HttpStatusCode)status) { Content = new StringContent($$"""{"__type":"{{code}}","message":"m"}""") };
    }

    [Fact]
    public async Task RemoveStatement_DoesNotLogWarningsForAnswersItHandles()
    {
        var collector = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        using var m = new MockClient(null, loggerFactory);
        string policy = """{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow","Principal":{"Service":"connect.amazonaws.com"},"Action":"lex:RecognizeText","Resource":"*"}]}""";
        int deletes = 0;
        m.Http.When(HttpMethod.Get, "*").Respond(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($$"""{"policy":{{System.Text.Json.JsonSerializer.Serialize(policy)}},"revisionId":"1"}""") });
        m.Http.When(HttpMethod.Delete, "*").Respond(_ => ++deletes == 1
            ? new HttpResponseMessage(HttpStatusCode.PreconditionFailed) { Content = new StringContent("""{"__type":"PreconditionFailedException"}""") }
            : new HttpResponseMessage(HttpStatusCode.NoContent));

        var removed = await m.Client.RemoveStatementAsync(Fixtures.AliasArn, "S1");

        Assert.Equal(StatementChange.Removed, removed.Change);
        Assert.DoesNotContain(collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void SuccessAfterRetries_ReturnsOnlyTheLastRetrysCostToTheBudget()
    {
        var budget = new RetryBudget(100);
        var call = new RetryBudget.CallTokens();
        Assert.True(budget.TryAcquire(RetryBudget.RetryCost, ref call));
        Assert.True(budget.TryAcquire(RetryBudget.TimeoutRetryCost, ref call));
        Assert.Equal(85, budget.Available);
        budget.ReleaseOnSuccess(call);
        Assert.Equal(95, budget.Available);

        var none = new RetryBudget.CallTokens();
        budget.ReleaseOnSuccess(none);
        Assert.Equal(96, budget.Available);
    }
}
