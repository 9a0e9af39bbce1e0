using System.Net;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Validation;

/// <summary>
/// A Lex resource policy lives in its resource's region: the client refuses a resource ARN of another region or partition
/// than it signs for (its Region, or the region its ServiceUrl names), for every operation, before anything is sent.
/// </summary>
public class RegionValidationTests
{
    private const string EuAlias = "arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID12345/ALIASID123";
    private const string ChinaAlias = "arn:aws-cn:lex:cn-north-1:123456789012:bot-alias/BOTID12345/ALIASID123";

    private static IEnumerable<Func<ILexPolicyClient, Task>> EveryOperation(string arn) =>
    [
        c => c.CreateResourcePolicyStatementAsync(Fixtures.ConnectGrant() with { ResourceArn = arn }),
        c => c.DeleteResourcePolicyStatementAsync(new() { ResourceArn = arn, StatementId = "A" }),
        c => c.CreateResourcePolicyAsync(new() { ResourceArn = arn, Policy = Fixtures.Policy }),
        c => c.DescribeResourcePolicyAsync(new() { ResourceArn = arn }),
        c => c.UpdateResourcePolicyAsync(new() { ResourceArn = arn, Policy = Fixtures.Policy }),
        c => c.DeleteResourcePolicyAsync(new() { ResourceArn = arn }),
    ];

    [Fact]
    public async Task ArnOfAnotherRegion_IsRefusedByEveryOperation_NamingBothRegions_AndNothingIsSent()
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));

        foreach (var call in EveryOperation(EuAlias))
        {
            var e = await Assert.ThrowsAsync<RequestValidationException>(() => call(m.Client));
            var v = Assert.Single(e.Violations);
            Assert.Equal("ResourceArn", v.MemberPath);
            Assert.Contains("is in region eu-west-1 (partition aws) but this client signs for region us-east-1 (partition aws)", v.Rule, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ArnOfAnotherPartition_IsRefused_NamingBothPartitions()
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));

        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = ChinaAlias }));

        Assert.Contains("is in region cn-north-1 (partition aws-cn) but this client signs for region us-east-1 (partition aws)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SamePartitionNameWithARegionOfAnother_IsRefusedToo()
    {
        using var m = new MockClient(o => o.Region = "cn-north-1");
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));

        var e = await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:cn-north-1:123456789012:bot/BOTID12345" }));

        Assert.Contains("(partition aws) but this client signs for region cn-north-1 (partition aws-cn)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArnOfTheSigningRegion_IsSent_AlsoInOtherPartitions()
    {
        using var m = new MockClient(o => o.Region = "cn-north-1");
        m.Http.When("*").Respond("application/json", "{}");

        await m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = ChinaAlias });
    }

    [Fact]
    public async Task RegionInferredFromTheServiceUrl_IsTheOneCompared()
    {
        int sent = 0;
        using var http = new MockHttpMessageHandler();
        http.When("*").Respond(_ => { sent++; return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") }; });
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = new Uri("https://models-v2-lex.eu-west-1.amazonaws.com"), Credentials = Fixtures.Credentials }, http);

        await client.DescribeResourcePolicyAsync(new() { ResourceArn = EuAlias });
        var e = await Assert.ThrowsAsync<RequestValidationException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));

        Assert.Contains("is in region us-east-1 (partition aws) but this client signs for region eu-west-1", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, sent);
    }

    [Fact]
    public async Task EnsureAndRemove_AreRefusedBeforeTheirFirstRead()
    {
        using var m = new MockClient();
        m.Http.Fallback.Throw(new InvalidOperationException("nothing may be sent"));
        var alias = BotAliasArn.Parse(EuAlias);

        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.EnsureStatementAsync(LexGrant.ConnectInstance(alias, "arn:aws:connect:eu-west-1:123456789012:instance/abc")));
        await Assert.ThrowsAsync<RequestValidationException>(() => m.Client.RemoveStatementAsync(alias, "AllowConnect"));
    }

    [Fact]
    public async Task ValidationOff_SendsAnArnOfAnotherRegion()
    {
        using var m = new MockClient(o => o.ValidateRequests = false);
        m.Http.When("*").Respond("application/json", """{"revisionId":"1"}""");

        Assert.Equal("1", (await m.Client.DescribeResourcePolicyAsync(new() { ResourceArn = EuAlias })).RevisionId);
    }
}
