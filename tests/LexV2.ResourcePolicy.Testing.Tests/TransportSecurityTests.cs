using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

public class TransportSecurityTests
{
    [Fact]
    public async Task UntrustedCertificate_IsRejected_NotRetried_AndNothingIsAnswered()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var generated = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = X509CertificateLoader.LoadPkcs12(generated.Export(X509ContentType.Pfx), null);
        int served = 0;

        // A TLS server with a self-signed certificate: it counts the requests it gets past the handshake.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var address = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        using var stop = new CancellationTokenSource();
        Task server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                try
                {
                    await tls.AuthenticateAsServerAsync(certificate);
                    byte[] buffer = new byte[4096];
                    if (await tls.ReadAsync(buffer, stop.Token) > 0)
                    {
                        Interlocked.Increment(ref served);
                        await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"u8.ToArray(), stop.Token);
                    }
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // The client refused the certificate.
                }
            }
        });

        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = address,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
        });

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ" }));

        Assert.Equal("RequestFailed", e.ErrorCode);
        Assert.Equal(1, e.Attempts);
        Assert.Equal(0, served);
        await stop.CancelAsync();
        try
        {
            await server;
        }
        catch (OperationCanceledException)
        {
            // Cancelled while waiting for a connection; when it was still closing the refused one, it ends at its loop check.
        }
    }

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("cn-north-1")]
    [InlineData("us-gov-west-1")]
    public void RegionalEndpoints_AreAlwaysHttps(string region)
    {
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Region = region, Credentials = new BasicAWSCredentials("a", "b") });
        Assert.Equal(Uri.UriSchemeHttps, client.Endpoint.Scheme);
    }
}
