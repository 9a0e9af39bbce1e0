using System.Reflection;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Issue 12 hostile review: item 7: secrets in forms the redactor does not look for, and in places it does not look.</summary>
public class RedactionReviewTests
{
    // A realistic STS token shape: '/', '+' and '=' in it.
    private const string Token = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def=";
    private const string TokenMiddle = "wEaCXVzLWVhc3QtMSJHMEUCIQD";

    /// <summary>
    /// The excerpt is the raw body, redacted only for the exact token/signature strings: a JSON echo written by System.Text.Json
    /// ('+' as \u002B), a URL-encoded echo, or the signature in upper-case hex all pass through into Message, ToString() and
    /// ResponseExcerpt (AccessDeniedException is unmodelled, so the excerpt is kept).
    /// </summary>
    [Theory]
    [InlineData("json")]
    [InlineData("url")]
    [InlineData("upper-hex")]
    public async Task EchoedSecrets_InEncodedForms_AreRedacted(string form)
    {
        string? signature = null;
        await using var server = LoopbackServer.Start((r, _) =>
        {
            string auth = r.Header("Authorization")!;
            signature = auth[(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)..];
            string token = r.Header("X-Amz-Security-Token")!;
            string body = form switch
            {
                "json" => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["Message"] = "denied", ["echo"] = token }),
                "url" => "denied; token=" + Uri.EscapeDataString(token),
                _ => "denied; sig " + signature.ToUpperInvariant(),
            };
            return new RawResponse(403, [new("Content-Type", "application/json"), new("x-amzn-ErrorType", "AccessDeniedException")], body);
        });
        using var client = new LexPolicyClient(Review.Options(server.Endpoint, new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, Token)));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        string all = e + "\n" + e.ResponseExcerpt;
        Assert.DoesNotContain(TokenMiddle, all, StringComparison.Ordinal);
        Assert.DoesNotContain(signature!.ToUpperInvariant()[..24], all, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Server text also reaches the exception through the transport: SocketsHttpHandler quotes an invalid response header line in its
    /// HttpRequestException message, and the client copies e.Message into its own message (and keeps e as InnerException). A proxy
    /// that echoes the request's headers badly puts the signature and session token into Message and ToString().
    /// </summary>
    [Fact]
    public async Task TransportErrorQuotingAnEchoedHeader_CarriesNoSecret()
    {
        string? signature = null;
        await using var server = LoopbackServer.Start((r, _) =>
        {
            string auth = r.Header("Authorization")!;
            signature = auth[(auth.IndexOf("Signature=", StringComparison.Ordinal) + 10)..];
            return new RawResponse(200, [new("X-Echo " + auth + " token=" + r.Header("X-Amz-Security-Token"), "x")], Review.Described);
        });
        using var client = new LexPolicyClient(Review.Options(server.Endpoint, new SessionAWSCredentials(Fixtures.AccessKey, Fixtures.SecretKey, Token), maxRetries: 0));

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(Review.Describe));

        Assert.DoesNotContain(signature!, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TokenMiddle, e.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The signer stores SigningSecrets (signature, token and the SECRET KEY) in the attempt's HttpRequestMessage.Options. The secret
    /// key never goes on the wire, so no server can echo it and it needs no redaction; but the record stays reachable as
    /// response.RequestMessage.Options by every handler above the signer (user handlers, HttpClientFactory logging) and by
    /// DiagnosticListener observers of the transport, and its public properties serialize.
    /// </summary>
    [Fact]
    public async Task SecretKey_IsNotReachableFromTheRequestOptions()
    {
        await using var server = LoopbackServer.Start((_, _) => RawResponse.Json(200, Review.Described));
        var seen = new List<string>();
        await using var provider = Review.Di(server.Endpoint, b => b.AddHttpMessageHandler(() => new Review.Tap(up: response =>
        {
            foreach (var (_, value) in response.RequestMessage!.Options)
            {
                foreach (var p in value?.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance) ?? [])
                {
                    if (p.GetValue(value) is string s)
                    {
                        lock (seen)
                        {
                            seen.Add(s);
                        }
                    }
                }
            }
        })));

        await provider.GetRequiredService<ILexPolicyClient>().DescribeResourcePolicyAsync(Review.Describe);

        Assert.DoesNotContain(Fixtures.SecretKey, seen);
    }
}
