using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using LexV2.ResourcePolicy.TestSupport;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// What Kestrel brings to the served emulator: HTTP/2 with prior knowledge on plain HTTP (h2c), HTTPS with a generated
/// self-signed certificate for the loopback names, HTTP/2 negotiated by ALPN over it; the signature verified the same way on
/// every one (HTTP/2's <c>:authority</c> is the signed <c>host</c>).
/// </summary>
public class ServerProtocolTests
{
    [Theory]
    [InlineData(false, "1.1")]
    [InlineData(false, "2.0")]
    [InlineData(true, "1.1")]
    [InlineData(true, "2.0")]
    public async Task SignedRequests_AreServed_OverEachProtocol(bool https, string version)
    {
        var emulator = new LexPolicyEmulator();
        await using var server = LexPolicyEmulatorServer.Start(emulator, new LexPolicyEmulatorServerOptions { UseHttps = https });
        using var http = Client(server);
        var protocol = Version.Parse(version);

        using var created = await SendSignedAsync(http, server.Endpoint, protocol, HttpMethod.Post, TestSigning.StatementsPath(), TestSigning.StatementBody("Proto"));
        using var unsigned = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(server.Endpoint, TestSigning.PolicyPath())) { Version = protocol, VersionPolicy = HttpVersionPolicy.RequestVersionExact });

        Assert.Equal((HttpStatusCode.OK, protocol), (created.StatusCode, created.Version));
        Assert.Equal((HttpStatusCode.Forbidden, protocol), (unsigned.StatusCode, unsigned.Version));
        Assert.Equal(1, emulator.GetPolicy(TestSigning.Alias)?.StatementCount);
        Assert.StartsWith(https ? "https://127.0.0.1:" : "http://127.0.0.1:", server.Endpoint.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_AWrongAuthority_DoesNotVerify()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator());
        using var http = Client(server);
        var uri = new Uri(server.Endpoint, TestSigning.PolicyPath());
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Get, uri, new Dictionary<string, string> { ["Host"] = "127.0.0.1:1" }, []);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        foreach (var (name, value) in auth)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var answer = await http.SendAsync(request);

        Assert.Equal((HttpStatusCode.Forbidden, HttpVersion.Version20), (answer.StatusCode, answer.Version));
        Assert.Contains("signature we calculated does not match", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// h2c is handed from the public port to an HTTP/2-only Kestrel endpoint on a port nothing announces. That port serves only
    /// what the public one hands it: a connection made to it directly is closed unanswered (else it would serve a second set
    /// of connections beyond <see cref="LexPolicyEmulatorServerOptions.MaxConnections"/>, uncounted), and it closes with the server.
    /// </summary>
    [Fact]
    public async Task Http2PriorKnowledgePort_ServesOnlyWhatThePublicPortHandsIt_AndClosesWithTheServer()
    {
        var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { MaxConnections = 1 });
        var side = server.Http2PriorKnowledgeEndPoint!;
        var direct = new UriBuilder(server.Endpoint) { Port = side.Port }.Uri;
        using var viaPublicPort = Client(server);
        using var straightToSidePort = new HttpClient();
        HttpRequestMessage Get(Uri endpoint) => new(HttpMethod.Get, new Uri(endpoint, TestSigning.PolicyPath())) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var sideListener = ListeningPort.Of(side.Port);

        await using (server)
        {
            using var served = await viaPublicPort.SendAsync(Get(server.Endpoint)); // holds the one connection allowed
            var refused = await Record.ExceptionAsync(() => straightToSidePort.SendAsync(Get(direct)));

            Assert.Equal((HttpStatusCode.Forbidden, HttpVersion.Version20), (served.StatusCode, served.Version));
            Assert.IsType<HttpRequestException>(refused);
            Assert.Equal(1, server.ConnectionCount);
        }

        Assert.True(await sideListener.IsClosedAsync(), "the HTTP/2 port still listens after the server was disposed");
    }

    [Fact]
    public async Task GeneratedCertificate_CoversTheLoopbackNames_AndIsItsOwnTrustAnchor()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { UseHttps = true });
        var certificate = server.Certificate!;
        string pem = certificate.ExportCertificatePem();
        using var fromPem = X509Certificate2.CreateFromPem(pem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(fromPem);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        Assert.True(chain.Build(fromPem), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(certificate.HasPrivateKey);
        Assert.True(certificate.MatchesHostname("127.0.0.1") && certificate.MatchesHostname("::1") && certificate.MatchesHostname("localhost"));
        Assert.False(certificate.MatchesHostname("example.com"));
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
    }

    [Fact]
    public async Task OverHttps_AClientThatDoesNotTrustTheCertificate_IsRefused()
    {
        await using var server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(), new LexPolicyEmulatorServerOptions { UseHttps = true });
        using var http = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(server.Endpoint, TestSigning.PolicyPath())));
    }

    /// <summary>An HttpClient that trusts only the server's own certificate (and checks the name), over a fresh handler.</summary>
    internal static HttpClient Client(LexPolicyEmulatorServer server)
    {
        var handler = new SocketsHttpHandler();
        if (server.Certificate is { } root)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false; // a name mismatch, or no certificate
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        return new HttpClient(handler);
    }

    internal static async Task<HttpResponseMessage> SendSignedAsync(HttpClient http, Uri endpoint, Version version, HttpMethod method, string path, byte[] body)
    {
        var uri = new Uri(endpoint, path);
        var auth = await TestSigning.AwsSdkSignAsync(method, uri, new Dictionary<string, string> { ["Host"] = uri.Authority, ["Content-Type"] = "application/json" }, body);
        var request = new HttpRequestMessage(method, uri) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        foreach (var (name, value) in auth)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request);
    }
}

/// <summary>The in-memory emulator stays free of ASP.NET Core: only the server package references it.</summary>
public class PackageBoundaryTests
{
    [Fact]
    public void TheTestingAssembly_ReferencesNoAspNetCore_TheServerAssemblyDoes()
    {
        static string[] References(Type type) => [.. type.Assembly.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.DoesNotContain(References(typeof(LexPolicyEmulator)), name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(References(typeof(LexPolicyEmulatorServer)), name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
