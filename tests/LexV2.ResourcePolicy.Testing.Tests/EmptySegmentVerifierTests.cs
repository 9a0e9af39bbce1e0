using System.Net;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// Issue 19, point 5: the emulator's verifier canonicalizes the path as AWS services do (consecutive slashes collapsed, dot
/// segments removed) before checking a signature: a request to <c>//x//policy/...</c> signed for the normalized path passes
/// verification (and then meets the emulator's routing, which knows no such path: 404 <c>UnknownOperationException</c>), while
/// one signed with the <c>//</c> kept is rejected with 403 as AWS rejects it.
/// </summary>
public class EmptySegmentVerifierTests
{
    private readonly LexPolicyEmulator _emulator = new();

    private async Task<(HttpStatusCode Status, string? Code)> SendAsync(string sentPath, string signedPath)
    {
        using var http = new HttpClient(_emulator);
        var uri = new Uri("https://models-v2-lex.us-east-1.amazonaws.com" + sentPath, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var (amzDate, authorization) = TestSigning.SpecSign("GET", signedPath, [("host", uri.Host)], []);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Headers.TryGetValues("x-amzn-ErrorType", out var v) ? v.Single().Split(':')[0] : null);
    }

    [Theory]
    [InlineData("//x//y/policy/a/", "/x/y/policy/a/")]
    [InlineData("/x/./y/../policy/a/", "/x/policy/a/")]
    [InlineData("//", "/")]
    public async Task SignedForTheNormalizedPath_PassesVerification(string sent, string signedPath)
    {
        Assert.Equal((HttpStatusCode.NotFound, "UnknownOperationException"), await SendAsync(sent, signedPath));
    }

    [Fact]
    public async Task SignedWithTheEmptySegmentsKept_IsRejectedAsAwsRejectsIt()
    {
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), await SendAsync("//x//y/policy/a/", "//x//y/policy/a/"));
    }

    /// <summary>The client, over the emulator, with an endpoint whose path has empty segments: its signature verifies.</summary>
    [Fact]
    public async Task ClientWithAnEndpointPathOfEmptySegments_IsVerified()
    {
        using var client = _emulator.CreateClient(o => o.ServiceUrl = new Uri("https://models-v2-lex.us-east-1.amazonaws.com//x//y/"));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = TestSigning.Alias }));

        Assert.Equal("UnknownOperationException", e.ErrorCode); // verified, then no route: not InvalidSignatureException
        Assert.StartsWith("//x//y/policy/", Assert.Single(_emulator.Requests).PathAndQuery, StringComparison.Ordinal);
    }
}
