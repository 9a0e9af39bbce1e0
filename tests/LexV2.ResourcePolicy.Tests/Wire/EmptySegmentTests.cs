using Amazon.Runtime;
using LexV2.ResourcePolicy.Signing;

namespace LexV2.ResourcePolicy.Tests.Wire;

/// <summary>
/// Issue 19, point 5: paths with empty segments (and dot segments), over a real loopback socket whose server verifies each
/// signature as AWS does: every service but S3 normalizes the path (consecutive slashes collapsed, dot segments removed) before
/// computing the canonical request, so a signature over the path with its <c>//</c> kept is rejected with 403.
/// </summary>
public class EmptySegmentTests
{
    private static readonly DescribeResourcePolicyRequest Describe = new() { ResourceArn = Fixtures.AliasArn };

    [Fact]
    public async Task ServiceUrlWithEmptySegments_IsSentAsGiven_AndSignedForThePathAwsCanonicalises()
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, """{"revisionId":"1"}""")));
        var endpoint = new Uri(server.Endpoint.GetLeftPart(UriPartial.Authority) + "//x//y/");
        using var client = new LexPolicyClient(new LexPolicyClientOptions { ServiceUrl = endpoint, Region = "us-east-1", Credentials = Fixtures.Credentials, MaxRetries = 0 });

        var response = await client.DescribeResourcePolicyAsync(Describe);

        Assert.Equal("1", response.RevisionId);
        string target = Assert.Single(server.Requests).Target;
        Assert.StartsWith("//x//y/policy/", target, StringComparison.Ordinal); // the endpoint's path as given...
        Assert.DoesNotContain("y//policy", target, StringComparison.Ordinal); // ...and no '//' of the client's making where it joins the operation's
    }

    [Theory]
    [InlineData("//a//b")]
    [InlineData("/a//b/")]
    [InlineData("//")]
    [InlineData("/a/./b/../c")]
    public async Task SigV4Handler_SendsThePathAsItIs_AndSignsTheCanonicalUriAwsExpects(string path)
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, "{}"), service: "execute-api"));
        using var http = new HttpClient(new AwsSigV4Handler(Fixtures.Credentials, "us-east-1", "execute-api") { InnerHandler = new SocketsHttpHandler() });
        var uri = new Uri(server.Endpoint.GetLeftPart(UriPartial.Authority) + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        using var response = await http.GetAsync(uri);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(path, Assert.Single(server.Requests).Target);
    }

    /// <summary>S3 is the exception: it signs the path exactly as sent, empty segments included (they name different keys).</summary>
    [Fact]
    public async Task SigV4Handler_ForS3_SignsThePathAsSent()
    {
        await using var server = LoopbackServer.Start((r, _) =>
            WireSignature.Problem(r, Fixtures.SecretKey, "us-east-1", "s3", singleEncodedPath: true) is { } problem ? RequestPathWireTests.Forbidden(problem) : RawResponse.Json(200, "{}"));
        using var http = new HttpClient(new AwsSigV4Handler(Fixtures.Credentials, "us-east-1", "s3") { InnerHandler = new SocketsHttpHandler() });

        using var response = await http.GetAsync(new Uri(server.Endpoint.GetLeftPart(UriPartial.Authority) + "//bucket//key"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("//bucket//key", Assert.Single(server.Requests).Target);
    }
}
