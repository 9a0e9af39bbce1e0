using System.Net;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using LexV2.ResourcePolicy.Signing;
using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>
/// Hostile review (issue 16 changes): guards for the #16 signer caches (credentials wrapper, wire Host text) and the snapshot without options copies.
/// These held up; they stay so a later optimization that caches by the wrong key fails here, over a real socket.
/// </summary>
public class SignerCacheAndSnapshotGuardTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["AKIDONE"] = "secretONEsecretONEsecretONEsecretONE",
        ["AKIDTWO"] = "secretTWOsecretTWOsecretTWOsecretTWO",
    };

    /// <summary>Verifies each request with the secret of the key id it names: a torn key id/secret pair gives 403.</summary>
    private static RawResponse VerifyEitherKey(RawRequest r, int i)
    {
        Match m = Regex.Match(r.Header("Authorization") ?? "", "Credential=([^/]+)/");
        return !m.Success || !Secrets.TryGetValue(m.Groups[1].Value, out string? secret)
            ? RequestPathWireTests.Forbidden("unknown key")
            : WireSignature.Problem(r, secret, "us-east-1") is { } problem ? RequestPathWireTests.Forbidden(problem) : RawResponse.Json(200, Review.Described);
    }

    private sealed class AlternatingKeys : AWSCredentials
    {
        private int _n;

        public override ImmutableCredentials GetCredentials()
        {
            string key = Interlocked.Increment(ref _n) % 2 == 0 ? "AKIDONE" : "AKIDTWO";
            return new ImmutableCredentials(key, Secrets[key], null);
        }
    }

    private sealed class ShortLivedKeys : RefreshingAWSCredentials
    {
        /// <summary>
        /// Long enough that AWSSDK.Core never finds them expired on arrival on a busy machine (it checks them after a thread-pool
        /// hop: at 1 ms it refused them, at 30 ms once under a load average of 30 on 2 cores; 250 ms left a quarter-second hop as
        /// the whole margin); short enough that they change between the rounds below.
        /// </summary>
        public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

        private int _n;

        public ShortLivedKeys() => PreemptExpiryTime = TimeSpan.Zero;

        protected override CredentialsRefreshState GenerateNewCredentials()
        {
            string key = Interlocked.Increment(ref _n) % 2 == 0 ? "AKIDONE" : "AKIDTWO";
            return new CredentialsRefreshState(new ImmutableCredentials(key, Secrets[key], null), DateTime.UtcNow + Lifetime);
        }
    }

    [Fact]
    public async Task KeysChangingOnEveryCall_UnderConcurrency_AlwaysSignWithAMatchingPair()
    {
        await using var server = LoopbackServer.Start(VerifyEitherKey);
        foreach (AWSCredentials credentials in (AWSCredentials[])[new AlternatingKeys(), new ShortLivedKeys()])
        {
            using var client = new LexPolicyClient(Review.Options(server.Endpoint, credentials, maxRetries: 0));
            for (int round = 0; round < 10; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => client.DescribeResourcePolicyAsync(Review.Describe))));
                if (credentials is ShortLivedKeys)
                {
                    await Task.Delay(ShortLivedKeys.Lifetime + TimeSpan.FromMilliseconds(100)); // the keys have expired: the next round renews them
                }
            }
        }

        Assert.Equal(400, server.Requests.Count);
        Assert.Equal(2, server.Requests.Select(r => Regex.Match(r.Header("Authorization")!, "Credential=([^/]+)/").Groups[1].Value).Distinct().Count());
    }

    [Fact]
    public async Task OneSigner_AlternatingOrigins_HostOverrides_AndNames_AllVerify()
    {
        await using var a = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, "{}")));
        await using var b = LoopbackServer.Start(RequestPathWireTests.Verified((_, _) => RawResponse.Json(200, "{}")));
        using var http = new HttpClient(new AwsSigV4Handler(Fixtures.Credentials, "us-east-1") { InnerHandler = new SocketsHttpHandler() });
        for (int i = 0; i < 8; i++)
        {
            Uri origin = i % 2 == 0 ? a.Endpoint : b.Endpoint;
            Uri target = i == 7 ? new Uri($"http://localhost:{origin.Port}/x") : new Uri(origin, "x");
            using var message = new HttpRequestMessage(HttpMethod.Get, target);
            if (i % 3 == 0)
            {
                message.Headers.Host = "example.com:99";
            }

            using var response = await http.SendAsync(message);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private sealed class Recorder : DelegatingHandler
    {
        public readonly List<string> Seen = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.TryGetValue(new HttpRequestOptionsKey<string>("user.key"), out string? option);
            var content = request.Content!.Headers;
            lock (Seen)
            {
                Seen.Add($"{option}|{request.Version}|{request.VersionPolicy}|{content.ContentType}|{string.Join(",", content.ContentLanguage)}|{string.Join(",", content.GetValues("X-Custom"))}|{string.Join(",", request.Headers.GetValues("X-Multi"))}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task PlainRequestThroughTheDiChain_KeepsOptionsContentHeadersAndVersion_OnEveryAttempt()
    {
        await using var server = LoopbackServer.Start(RequestPathWireTests.Verified((_, i) => i == 0 ? RawResponse.Json(503, "{}") : RawResponse.Json(200, "{}")));
        var recorder = new Recorder();
        await using var provider = Review.Di(server.Endpoint, builder => builder.AddHttpMessageHandler(() => recorder));
        HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(LexPolicyServiceCollectionExtensions.HttpClientName);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Endpoint, "plain"))
        {
            Content = new StringContent("{\"a\":1}", System.Text.Encoding.UTF8, "application/json"),
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Options.Set(new HttpRequestOptionsKey<string>("user.key"), "v1");
        message.Content.Headers.ContentLanguage.Add("de-DE");
        message.Content.Headers.TryAddWithoutValidation("X-Custom", "c1");
        message.Headers.TryAddWithoutValidation("X-Multi", ["a", "b  c"]);

        using var response = await http.SendAsync(message);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, recorder.Seen.Count);
        Assert.All(recorder.Seen, s => Assert.Equal("v1|1.1|RequestVersionExact|application/json; charset=utf-8|de-DE|c1|a,b  c", s));
    }
}
